import StewardAPI

/// Draws a command's progress: on a terminal, a bar per step and one for the
/// total, redrawn in place; elsewhere (a pipe, a file), one plain line each
/// time the total or a step's state changes.
public struct ProgressPrinter {
    public let terminal: Bool
    private var drawnLines = 0
    private var lastLine = ""
    private var stepStates: [String: ExecutionState] = [:]
    private var lastTotal = -1

    public init(terminal: Bool) {
        self.terminal = terminal
    }

    /// The text to write for a new version of the document.
    public mutating func update(_ doc: Envelope<ProgressDocument>) -> String {
        terminal ? redraw(doc) : lines(doc)
    }

    static func bar(_ percent: Int, width: Int = 24) -> String {
        let filled = max(0, min(width, percent * width / 100))
        return "[" + String(repeating: "#", count: filled) + String(repeating: "-", count: width - filled) + "]"
    }

    public static func mark(_ state: ExecutionState) -> String {
        switch state {
        case .succeeded: "✔"
        case .failed: "✘"
        case .running: "▶"
        case .skipped: "-"
        case .pending: "·"
        }
    }

    private mutating func redraw(_ doc: Envelope<ProgressDocument>) -> String {
        let steps = doc.resObj?.stepList ?? []
        let width = steps.map(\.name.printable.count).max() ?? 10
        var rows = ["Command \(doc.id) \(doc.resObj?.commandKind.rawValue ?? "") \((doc.resObj?.serviceName ?? "").printable)  "
                    + "\(Self.bar(doc.totalProgress)) \(pad(doc.totalProgress))%  \(doc.state.rawValue)"]
        for step in steps {
            rows.append("  \(Self.mark(step.state)) \(step.name.column(width))  "
                        + "\(Self.bar(step.progress)) \(pad(step.progress))%  \(step.state.rawValue)")
        }
        var out = drawnLines > 0 ? "\u{1B}[\(drawnLines)A" : ""
        for row in rows { out += "\u{1B}[2K" + row + "\n" }
        drawnLines = rows.count
        return out
    }

    private mutating func lines(_ doc: Envelope<ProgressDocument>) -> String {
        var out = ""
        for step in doc.resObj?.stepList ?? [] where stepStates[step.name] != step.state {
            stepStates[step.name] = step.state
            if step.state != .pending { out += "[\(pad(doc.totalProgress))%] \(step.name.printable): \(step.state.rawValue)\n" }
        }
        if doc.state != .inProgress || (out.isEmpty && doc.totalProgress != lastTotal) {
            out += "[\(pad(doc.totalProgress))%] command \(doc.id): \(doc.state.rawValue)\n"
        }
        lastTotal = doc.totalProgress
        return out
    }

    private func pad(_ n: Int) -> String { n < 10 ? "  \(n)" : n < 100 ? " \(n)" : "\(n)" }
}
