#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import StewardAPI
import StewardEngine

/// The system's wall clock: the one a manager reads, handed to every part
/// that needs the time (the engine itself is only ever given `now`).
public struct SystemTime: TimeSource {
    public init() {}

    public func now() -> Millis {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        return Millis(ts.tv_sec) * 1000 + Millis(ts.tv_nsec) / 1_000_000
    }
}
