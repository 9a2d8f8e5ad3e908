/// The stable error catalogue of the `/web/v1` API (documented in docs/errors.md).
///
/// Codes never change meaning once released; new conditions get new codes.
/// The HTTP status travels with the code so that every layer answers alike.
public enum ErrorCode: Int, Sendable, Codable, CaseIterable {
    case success = 0

    // Request shape (400, 401, 404, 405, 413, 415)
    case malformedJSON = 10001
    case invalidParameter = 10002
    case bodyTooLarge = 10003
    case unauthenticated = 10004
    case forbidden = 10005
    case routeNotFound = 10006
    case methodNotAllowed = 10007
    case loginThrottled = 10008
    case crossSiteRequest = 10009
    case passwordRejected = 10010
    case userExists = 10011
    case userNotFound = 10012
    case lastAdmin = 10013
    case selfRemoval = 10014
    case passwordCheckBusy = 10015
    case passwordChangeRequired = 10020
    case tooManyStreams = 10021
    case idempotencyKeyReused = 10022

    // Unknown things (404)
    case clusterNotFound = 11001
    case serviceNotFound = 11002
    case hostNotFound = 11003
    case roleNotFound = 11004
    case commandNotFound = 11005
    case instanceNotFound = 11006
    case taskNotFound = 11007
    case agentCredentialNotFound = 11008
    case stepNotFound = 11009
    case configVersionNotFound = 11010

    // Configuration (400)
    case unknownConfiguration = 12001
    case invalidConfigurationValue = 12002
    case configurationLevelMismatch = 12003
    case nothingToRollBack = 12004

    // Conflicts (409)
    case serviceBusy = 13001
    case commandEnded = 13002
    case nothingToRetry = 13003
    case nothingRunning = 13004
    case roleAlreadyOnHost = 13010
    case hostNotEmpty = 13011
    case hostDecommissioned = 13012
    case hostBusy = 13013

    // Command outcomes (carried by a FAILED command's progress document)
    case taskFailed = 14001
    case taskTimedOut = 14002
    case hostLost = 14003
    case managerRestarted = 14004
    case aborted = 14005
    case agentRestarted = 14006
    case softwareMissing = 14007
    case prepareFailed = 14008
    case toleranceExceeded = 14010

    // Agent protocol
    case agentUnauthenticated = 15001
    case agentUnknownHost = 15002
    case agentCredentialRefused = 15003
    case agentForgery = 15004
    case agentAlreadyJoined = 15005
    case agentPendingApproval = 15006
    case agentNotPending = 15007

    // Server side (5xx): never caused by input
    case internalError = 19001
    case storeUnavailable = 19002

    public var httpStatus: Int {
        switch self {
        case .success: 200
        case .malformedJSON, .invalidParameter: 400
        case .bodyTooLarge: 413
        case .unauthenticated, .agentUnauthenticated, .agentCredentialRefused: 401
        case .agentForgery, .agentPendingApproval: 403
        case .agentAlreadyJoined, .agentNotPending: 409
        case .forbidden: 403
        case .routeNotFound: 404
        case .methodNotAllowed: 405
        case .loginThrottled, .passwordCheckBusy: 429
        case .crossSiteRequest: 403
        case .passwordRejected: 400
        case .userExists: 409
        case .userNotFound: 404
        case .lastAdmin, .selfRemoval: 409
        case .passwordChangeRequired: 403
        case .tooManyStreams: 429
        case .idempotencyKeyReused: 422
        case .clusterNotFound, .serviceNotFound, .hostNotFound, .roleNotFound,
             .commandNotFound, .instanceNotFound, .taskNotFound, .agentUnknownHost, .agentCredentialNotFound,
             .stepNotFound, .configVersionNotFound: 404
        case .unknownConfiguration, .invalidConfigurationValue, .configurationLevelMismatch: 400
        case .serviceBusy, .commandEnded, .nothingToRetry, .nothingRunning, .nothingToRollBack: 409
        case .roleAlreadyOnHost, .hostNotEmpty, .hostDecommissioned, .hostBusy: 409
        case .taskFailed, .taskTimedOut, .hostLost, .managerRestarted, .aborted, .agentRestarted, .softwareMissing,
             .prepareFailed, .toleranceExceeded: 200
        case .internalError: 500
        case .storeUnavailable: 503
        }
    }

    /// A one-line summary, used where no more specific description exists.
    public var summary: String {
        switch self {
        case .success: "Success."
        case .malformedJSON: "The request body is not valid JSON of the expected shape."
        case .invalidParameter: "A request parameter is invalid."
        case .bodyTooLarge: "The request body is larger than the manager accepts."
        case .unauthenticated: "Authentication is required: send valid credentials."
        case .forbidden: "Your role does not allow this operation."
        case .routeNotFound: "No such endpoint."
        case .methodNotAllowed: "This endpoint does not accept that HTTP method."
        case .loginThrottled: "Too many failed logins; wait before trying again."
        case .crossSiteRequest: "A cookie-authenticated change must come from the manager's own pages as JSON."
        case .passwordRejected: "The password was not accepted."
        case .userExists: "A user of that name exists."
        case .userNotFound: "No such user."
        case .lastAdmin: "The last admin cannot be removed or demoted."
        case .selfRemoval: "A user cannot remove itself."
        case .passwordCheckBusy: "The manager is checking too many passwords at once; try again in a moment."
        case .passwordChangeRequired: "The initial password must be changed (modify_self_password) before anything else."
        case .tooManyStreams: "Too many event streams and long polls open for this user; close one first."
        case .idempotencyKeyReused: "This Idempotency-Key was used for another request; use a new key for a new request."
        case .clusterNotFound: "No such cluster."
        case .serviceNotFound: "No such service in the cluster."
        case .hostNotFound: "No such host in the cluster."
        case .roleNotFound: "No such role in the service."
        case .commandNotFound: "No such command."
        case .instanceNotFound: "No such role instance."
        case .taskNotFound: "No such task in the command."
        case .agentCredentialNotFound: "The host has no agent credential."
        case .stepNotFound: "No such step in the command."
        case .configVersionNotFound: "No such configuration version in the cluster."
        case .unknownConfiguration: "The configuration parameter is not defined by the stack."
        case .invalidConfigurationValue: "The configuration value fails the parameter's validity check."
        case .configurationLevelMismatch: "The configuration parameter cannot be set at that level."
        case .nothingToRollBack: "The configuration already has that version's values: a rollback would change nothing."
        case .serviceBusy: "Another command is running on the service."
        case .commandEnded: "The command has already ended."
        case .nothingToRetry: "Only a FAILED command with failed tasks can be retried."
        case .nothingRunning: "No instance of the service is running; a rolling restart restarts only running instances."
        case .roleAlreadyOnHost: "The role already has an instance on that host."
        case .hostNotEmpty: "The host still has instances; decommission it first."
        case .hostDecommissioned: "The host is decommissioned and takes no new instances."
        case .hostBusy: "Another placement command is running on the host."
        case .taskFailed: "One or more tasks failed."
        case .taskTimedOut: "A task did not finish within its timeout."
        case .hostLost: "The agent of a host stopped sending heartbeats."
        case .managerRestarted: "The manager restarted while the command was running."
        case .aborted: "The command was aborted."
        case .agentRestarted: "The agent of a host restarted while it ran a task of the command."
        case .softwareMissing: "A host lacks the software a role needs."
        case .prepareFailed: "A role's prepare step failed before its first start."
        case .toleranceExceeded: "More instances failed to restart than the rolling restart's failure tolerance allows."
        case .agentUnauthenticated: "The agent token is missing or wrong."
        case .agentUnknownHost: "The host is not part of the cluster."
        case .agentCredentialRefused: "The host credential is missing, wrong or revoked; the join token only registers a new host."
        case .agentForgery: "An agent may speak only for its own host and that host's tasks."
        case .agentAlreadyJoined: "The host has a credential already; an admin must revoke it before the host joins again."
        case .agentPendingApproval: "The host's first join awaits an admin's approval."
        case .agentNotPending: "The host is not awaiting approval."
        case .internalError: "Internal error."
        case .storeUnavailable: "The store is unavailable."
        }
    }
}

/// An error that maps to a FAILED envelope with a catalogue code.
public struct StewardError: Error, Sendable, Equatable, CustomStringConvertible {
    public let code: ErrorCode
    public let message: String
    /// For a rejected configuration: each bad value, located, so that an
    /// editor can show it beside its field (`res_obj.problems` on the wire).
    public let problems: [ConfigurationProblem]

    public init(_ code: ErrorCode, _ message: String? = nil, problems: [ConfigurationProblem] = []) {
        self.code = code
        self.message = message ?? code.summary
        self.problems = problems
    }

    public var description: String { "\(code.rawValue): \(message)" }
}
