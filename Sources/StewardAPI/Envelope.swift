/// The reference response envelope:
/// `{id, state, error_code, error_description, total_progress, res_obj}`.
public struct Envelope<Result: Codable & Sendable>: Codable, Sendable {
    public var id: Int64
    public var state: CommandState
    public var errorCode: Int
    public var errorDescription: String
    public var totalProgress: Int
    public var resObj: Result?

    enum CodingKeys: String, CodingKey {
        case id, state
        case errorCode = "error_code"
        case errorDescription = "error_description"
        case totalProgress = "total_progress"
        case resObj = "res_obj"
    }

    public init(id: Int64 = -1, state: CommandState = .complete, errorCode: Int = 0,
                errorDescription: String = "", totalProgress: Int = 0, resObj: Result? = nil) {
        self.id = id
        self.state = state
        self.errorCode = errorCode
        self.errorDescription = errorDescription
        self.totalProgress = totalProgress
        self.resObj = resObj
    }

    public static func failure(_ error: StewardError) -> Envelope<Result> {
        Envelope(id: -1, state: .failed, errorCode: error.code.rawValue,
                 errorDescription: error.message, totalProgress: 0, resObj: nil)
    }

    // res_obj is omitted rather than null where there is none, as in the reference examples.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(id, forKey: .id)
        try c.encode(state, forKey: .state)
        try c.encode(errorCode, forKey: .errorCode)
        try c.encode(errorDescription, forKey: .errorDescription)
        try c.encode(totalProgress, forKey: .totalProgress)
        try c.encodeIfPresent(resObj, forKey: .resObj)
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        id = try c.decodeIfPresent(Int64.self, forKey: .id) ?? -1
        state = try c.decodeIfPresent(CommandState.self, forKey: .state) ?? .failed
        errorCode = try c.decodeIfPresent(Int.self, forKey: .errorCode) ?? 0
        errorDescription = try c.decodeIfPresent(String.self, forKey: .errorDescription) ?? ""
        // FLOAT on the wire; a nonsense value must not crash a client.
        let progress = try c.decodeIfPresent(Double.self, forKey: .totalProgress) ?? 0
        totalProgress = progress.isFinite ? Int(min(max(progress, 0), 100).rounded(.down)) : 0
        resObj = try c.decodeIfPresent(Result.self, forKey: .resObj)
    }
}

/// A result with no content, for envelopes without `res_obj`.
public struct NoResult: Codable, Sendable {
    public init() {}
}
