-- The change feed: one row per resource a committed write touched, numbered in commit order.
-- `action` is what administrators see (NULL when only the public view of the resource changed, e.g. the
-- agenda items of a meeting made private); `public_action` is what everyone else sees (NULL when the public
-- view did not change). Rows are never updated or deleted, so `seq` is a stable cursor.

CREATE TABLE changes (
    seq INTEGER PRIMARY KEY,
    at TEXT NOT NULL,
    municipality_id TEXT NOT NULL,
    type TEXT NOT NULL,
    resource_id TEXT NOT NULL,
    parent_id TEXT,                  -- the council, meeting or consultation in the resource's path
    action TEXT CHECK (action IN ('created', 'updated', 'deleted')),
    public_action TEXT CHECK (public_action IN ('created', 'updated', 'deleted')),
    CHECK (action IS NOT NULL OR public_action IS NOT NULL)
) STRICT;
CREATE INDEX changes_by_municipality ON changes (municipality_id, seq);

-- What the public feed has announced as readable: the memory that turns a visibility flip into
-- `created` or `deleted` for anonymous readers.
CREATE TABLE public_resources (
    type TEXT NOT NULL,
    resource_id TEXT NOT NULL,
    PRIMARY KEY (type, resource_id)
) STRICT, WITHOUT ROWID;
