import StewardAPI

/// Where the manager reads the time: the system's wall clock in production, a
/// clock a test moves by hand in unit tests. The engine's own functions never
/// read it; they are given `now`.
public protocol TimeSource: Sendable {
    func now() -> Millis
}
