/// How long a test waits for something that should happen promptly before calling it hung.
///
/// Never a speed target: on a 2-core CI host that starts hundreds of tests at once, "promptly" has
/// taken over 15 s, and a 10 s bound failed a test whose fake answered in microseconds. Timing
/// belongs in `Benchmarks/`; tests only need to end when something is truly stuck.
public let hangTimeout: Duration = .seconds(180)
