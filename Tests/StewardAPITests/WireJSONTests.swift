import Foundation
import StewardAPI
import Testing

/// The one encoding of the wire: the same value gives the same bytes, with the
/// envelope's fields first in the reference's order.
@Suite("Wire JSON")
struct WireJSONTests {
    static func text(_ data: Data) -> String { String(decoding: data, as: UTF8.self) }

    @Test func theEnvelopeComesFirstInTheReferencesOrder() {
        let envelope = Envelope(id: 7, state: .inProgress, errorCode: 0, errorDescription: "", totalProgress: 40,
                                resObj: ClusterHealth(state: .good))
        #expect(Self.text(WireJSON.envelope(envelope))
                == #"{"id":7,"state":"IN_PROGRESS","error_code":0,"error_description":"","total_progress":40,"res_obj":{"state":"GOOD"}}"#)
        #expect(Self.text(WireJSON.envelope(Envelope<NoResult>.failure(StewardError(.serviceBusy, "busy \"now\""))))
                == #"{"id":-1,"state":"FAILED","error_code":13001,"error_description":"busy \"now\"","total_progress":0}"#)
    }

    @Test func keysInsideAreSortedSoThatAnswersDiffCleanly() {
        let view = HostView(hostName: "host-1", status: .connected, lastHeartbeat: 5, agentVersion: "1", instances: ["A@host-1"])
        let body = Self.text(WireJSON.envelope(Envelope(resObj: HostList(hosts: [view]))))
        #expect(body.hasSuffix(#""res_obj":{"hosts":[{"agent_state":"NONE","agent_version":"1","host_name":"host-1","instances":["A@host-1"],"joined_at":0,"last_heartbeat":5,"state":"ACTIVE","status":"CONNECTED"}]}}"#),
                "\(body)")
    }

    @Test func extraTopLevelFieldsFollowTheEnvelope() {
        let result = PasswordChangeResult(code: 0, description: "done")
        #expect(Self.text(WireJSON.envelope(Envelope<NoResult>(), extra: result))
                == #"{"id":-1,"state":"COMPLETE","error_code":0,"error_description":"","total_progress":0,"int_result_code":0,"result_desc":"done"}"#)
    }

    @Test func whatIsWrittenReadsBack() throws {
        let envelope = Envelope(id: 3, state: .failed, errorCode: 14001, errorDescription: "x",
                                totalProgress: 50, resObj: ClusterHealth(state: .bad))
        let decoded = try JSONDecoder().decode(Envelope<ClusterHealth>.self, from: WireJSON.envelope(envelope))
        #expect(decoded.id == 3 && decoded.state == .failed && decoded.errorCode == 14001)
        #expect(decoded.resObj?.state == .bad)
    }

    /// Every state and kind has one spelling on the wire.
    @Test func statesAreTheWiresWords() {
        #expect(CommandState.allCases.map(\.rawValue) == ["IN_PROGRESS", "COMPLETE", "FAILED"])
        #expect(ExecutionState.allCases.map(\.rawValue) == ["PENDING", "RUNNING", "SUCCEEDED", "FAILED", "SKIPPED"])
        #expect(ServiceStatus.allCases.map(\.rawValue) == ["STARTED", "STOPPED", "PARTIALLY_STARTED", "UNKNOWN"])
        #expect(HostStatus.allCases.map(\.rawValue) == ["CONNECTED", "LOST"])
    }
}
