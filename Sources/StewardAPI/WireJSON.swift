import Foundation

/// The one JSON encoding of the wire. Keys come out in a stable order, so that
/// two answers diff cleanly: the envelope's fields first, in the reference's
/// order, then `res_obj` (or the reference's extra top-level fields) with its
/// keys sorted. Foundation alone gives no stable order: its encoder keeps an
/// object's keys in a hashed dictionary, seeded differently in each process.
public enum WireJSON {
    public static func encode<T: Encodable>(_ value: T) -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        // Encoding our own wire types cannot fail; an empty object keeps the reply well-formed if it ever did.
        return (try? encoder.encode(value)) ?? Data("{}".utf8)
    }

    /// `{"id":…,"state":…,"error_code":…,"error_description":…,"total_progress":…,"res_obj":…}`.
    public static func envelope<R>(_ envelope: Envelope<R>) -> Data {
        var out = head(envelope)
        if let result = envelope.resObj {
            out.append(contentsOf: Array(#","res_obj":"#.utf8))
            out.append(encode(result))
        }
        out.append(UInt8(ascii: "}"))
        return out
    }

    /// A success envelope with fields of its own at the top level, after the
    /// envelope's, as the reference's `login_check` and `modify_self_password` answer.
    public static func envelope<Extra: Encodable>(_ envelope: Envelope<NoResult>, extra: Extra) -> Data {
        var out = head(envelope)
        let fields = encode(extra).dropFirst().dropLast()
        if !fields.isEmpty {
            out.append(UInt8(ascii: ","))
            out.append(contentsOf: fields)
        }
        out.append(UInt8(ascii: "}"))
        return out
    }

    private static func head<R>(_ e: Envelope<R>) -> Data {
        let text = #"{"id":\#(e.id),"state":"\#(e.state.rawValue)","error_code":\#(e.errorCode),"#
            + #""error_description":"# + String(decoding: encode(e.errorDescription), as: UTF8.self)
            + #","total_progress":\#(e.totalProgress)"#
        return Data(text.utf8)
    }
}
