import Hummingbird

/// The request context: who the request is authenticated as.
public struct StewardRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    public var user: AuthenticatedUser?
    /// The client's address, for the audit log and the login throttle.
    public let remoteAddress: String

    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        user = nil
        remoteAddress = source.channel.remoteAddress?.ipAddress ?? "unknown"
    }
}
