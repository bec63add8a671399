/// FIFO async mutexes, one per key: a conditional write checks its precondition and commits while holding
/// its key's, so no other PATCH, PUT or DELETE of the same resource (or of its siblings) slips in between,
/// while writes elsewhere go ahead. Callers pair each `acquire` with one `release`.
actor KeyedGate {
    private var waiters: [String: [CheckedContinuation<Void, Never>]] = [:]

    /// Returns once the caller holds `key`; waits behind earlier holders in arrival order.
    func acquire(_ key: String) async {
        guard waiters[key] != nil else {
            waiters[key] = []
            return
        }
        await withCheckedContinuation { waiters[key, default: []].append($0) }
    }

    /// Hands `key` to the next waiter, or frees it.
    func release(_ key: String) {
        guard var queue = waiters[key], !queue.isEmpty else {
            waiters[key] = nil
            return
        }
        let next = queue.removeFirst()
        waiters[key] = queue
        next.resume()
    }
}
