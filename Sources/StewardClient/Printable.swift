/// Text from the server, made safe to print on a terminal.
///
/// A user name, a host name, a target or a process's output is chosen by
/// someone else; written raw, a newline forges a line of the audit log, a
/// carriage return or an escape sequence rewrites what is on screen, and a
/// bidirectional override or a zero-width character hides text. Every such
/// character is shown as a visible escape instead (`\n`, `\u{1B}`, `\u{202E}`).
extension String {
    /// One field: every control and invisible formatting character escaped, newlines too.
    public var printable: String { escapingControls(keepNewlines: false) }

    /// A block of lines (a process's output): line breaks and tabs kept, everything else escaped.
    public var printableLines: String { escapingControls(keepNewlines: true) }

    /// A field padded to a column's width.
    public func column(_ width: Int) -> String {
        printable.padding(toLength: max(width, 0), withPad: " ", startingAt: 0)
    }

    private func escapingControls(keepNewlines: Bool) -> String {
        var out = ""
        out.unicodeScalars.reserveCapacity(unicodeScalars.count)
        for scalar in unicodeScalars {
            if keepNewlines, scalar == "\n" || scalar == "\t" {
                out.unicodeScalars.append(scalar)
            } else if Self.isHidden(scalar) {
                switch scalar {
                case "\n": out += "\\n"
                case "\r": out += "\\r"
                case "\t": out += "\\t"
                default: out += "\\u{" + String(scalar.value, radix: 16, uppercase: true) + "}"
                }
            } else {
                out.unicodeScalars.append(scalar)
            }
        }
        return out
    }

    /// C0 and C1 controls, DEL, and format characters (bidi controls, zero-width
    /// joiners and spaces, the byte-order mark), which change or hide what is shown.
    static func isHidden(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.properties.generalCategory {
        case .control, .format, .lineSeparator, .paragraphSeparator: true
        default: false
        }
    }
}
