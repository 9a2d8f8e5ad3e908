import StewardAPI

/// Draws a command's progress: on a terminal, a bar per step (with its task
/// counts) and one for the total, redrawn in place; elsewhere (a pipe, a
/// file), one plain line each time the total or a step's state changes.
/// It draws from the counts, never from the task list, which the manager
/// bounds (a step of 10,000 tasks lists 20 of them).
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
                        + "\(Self.bar(step.progress)) \(pad(step.progress))%  \(step.state.rawValue.column(9))  \(Self.counts(step))")
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
            guard step.state != .pending else { continue }
            let counts = step.state.isTerminal ? " (\(Self.counts(step)))" : ""
            out += "[\(pad(doc.totalProgress))%] \(step.name.printable): \(step.state.rawValue)\(counts)\n"
        }
        if doc.state != .inProgress || (out.isEmpty && doc.totalProgress != lastTotal) {
            out += "[\(pad(doc.totalProgress))%] command \(doc.id): \(doc.state.rawValue)\n"
        }
        lastTotal = doc.totalProgress
        return out
    }

    /// A step's tasks in a few words, e.g. "980/1000 done, 20 failed, 3 running" ("done": succeeded or failed).
    public static func counts(_ step: ProgressDocument.StepEntry) -> String {
        let states = step.taskStates
        var text = "\(states.succeeded + states.failed)/\(step.taskCount) done"
        for (count, word) in [(states.failed, "failed"), (states.running, "running"), (states.skipped, "skipped")] where count > 0 {
            text += ", \(count) \(word)"
        }
        return text
    }

    /// The tasks a step's document lists, one line each, then how many it
    /// left out and how to page them (steps are numbered from 0).
    public static func taskLines(_ step: ProgressDocument.StepEntry, index: Int, command id: Int64,
                                 indent: String = "      ") -> String {
        var text = ""
        for task in step.tasks {
            text += "\(indent)\(task.instance.printable) \(task.state.rawValue) \(task.detail.printable)\n"
        }
        if step.tasksOmitted > 0 {
            text += "\(indent)… \(step.tasksOmitted) more (steward command tasks \(id) \(index))\n"
        }
        return text
    }

    private func pad(_ n: Int) -> String { n < 10 ? "  \(n)" : n < 100 ? " \(n)" : "\(n)" }
}
