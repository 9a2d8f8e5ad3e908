import Hummingbird
import StewardAPI
import StewardEngine

/// Path and query parameters, checked before anything else happens, each
/// refusal a 400 (or 404) with a catalogue code rather than a framework default.
extension StewardRequestContext {
    /// A positive LONG path parameter such as `command_id`.
    func positiveID(_ name: String) throws(StewardError) -> Int64 {
        let raw = parameters.get(name) ?? ""
        guard let id = Int64(raw), id > 0 else {
            throw StewardError(.invalidParameter, "\(name) must be a positive integer of at most 19 digits, got '\(raw.prefix(32))'.")
        }
        return id
    }

    /// A non-negative INT path parameter such as `step_index` (a position, from 0).
    func index(_ name: String) throws(StewardError) -> Int {
        let raw = parameters.get(name) ?? ""
        guard let index = Int(raw), index >= 0 else {
            throw StewardError(.invalidParameter, "\(name) must be a non-negative integer, got '\(raw.prefix(32))'.")
        }
        return index
    }

    /// The `service_name` path parameter, a service of the stack.
    func service(in stack: Stack) throws(StewardError) -> String {
        let name = parameters.get("service_name") ?? ""
        guard stack.service(name) != nil else {
            throw StewardError(.serviceNotFound, "Service '\(name.prefix(64))' does not exist in cluster \(stack.cluster.id).")
        }
        return name
    }
}

extension Request {
    /// `?dry_run=true` asks for the plan only.
    func dryRun() throws(StewardError) -> Bool {
        guard let value = uri.queryParameters.get("dry_run") else { return false }
        guard value == "true" || value == "false" else { throw StewardError(.invalidParameter, "dry_run must be true or false.") }
        return value == "true"
    }

    /// A non-negative integer query parameter, nil when absent.
    func number(_ name: String) throws(StewardError) -> Int64? {
        guard let text = uri.queryParameters.get(name) else { return nil }
        guard let n = Int64(text), n >= 0 else { throw StewardError(.invalidParameter, "\(name) must be a non-negative integer.") }
        return n
    }

    /// An enum query parameter, nil when absent.
    func oneOf<E: RawRepresentable & CaseIterable>(_ name: String, _: E.Type) throws(StewardError) -> E? where E.RawValue == String {
        guard let text = uri.queryParameters.get(name) else { return nil }
        guard let value = E(rawValue: text) else {
            throw StewardError(.invalidParameter, "\(name) must be one of \(E.allCases.map(\.rawValue).joined(separator: ", ")).")
        }
        return value
    }

    /// `limit` within `range`, `offset` from 0: a page of a list.
    func page(defaultLimit: Int, range: ClosedRange<Int>) throws(StewardError) -> (limit: Int, offset: Int) {
        let limit = try number("limit") ?? Int64(defaultLimit)
        guard limit >= range.lowerBound, limit <= range.upperBound else {
            throw StewardError(.invalidParameter, "limit must be \(range.lowerBound)-\(range.upperBound).")
        }
        return (Int(limit), Int(clamping: try number("offset") ?? 0))
    }
}
