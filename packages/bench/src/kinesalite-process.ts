/**
 * Node options of the benchmarks' kinesalite child process (testbed's startKinesaliteProcess). kinesalite allocates
 * many short-lived objects per record read (sequence numbers are parsed with bignumber.js); a larger young generation
 * makes its GC pauses shorter and rarer, which cut the run-to-run noise of a 1.5 s drain.
 */
export const KINESALITE_NODE_OPTIONS = ['--max-semi-space-size=64'];
