/// The types and server protocol in this module are generated from the root `openapi.yaml` at build time.
public enum Contract {}
