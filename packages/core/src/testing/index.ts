// Conformance suite for Checkpointer backends (work in progress).
export {};
