import SQLKit
import StewardAPI
import StewardEngine

/// A task as its row: the task and where it sits.
struct TaskRow: Sendable {
    var commandId: Int64
    var step: Int
    var task: CommandTask
}

extension SQLStore {
    /// Rows per statement: a 1,000-task command is written in a few statements,
    /// not a thousand, because on PostgreSQL each statement is a round trip.
    /// 14 binds a row stays far below SQLite's 32,766 and PostgreSQL's 65,535.
    static let rowsPerStatement = 500

    /// Inserts new tasks, in order; their ids come back in the same order.
    static func insertTasks(_ rows: [TaskRow], commandId: Int64, on db: any SQLDatabase) async throws -> [Int64] {
        try await writeRows(rows, withID: false, on: db)
        // Ids grow in insertion order in both SQLite and PostgreSQL, and the
        // command is new: its tasks by id are the rows just written, in order.
        return try await db.raw("SELECT id FROM tasks WHERE command_id = \(bind: commandId) ORDER BY id").all()
            .map { try $0.decode(column: "id", as: Int64.self) }
    }

    /// Writes what changed of existing tasks, many rows per statement.
    static func writeTasks(_ rows: [TaskRow], on db: any SQLDatabase) async throws {
        try await writeRows(rows, withID: true, on: db)
    }

    /// One multi-row INSERT per chunk: new rows (ids assigned by the database),
    /// or existing ones by id, whose changing columns are replaced.
    private static func writeRows(_ rows: [TaskRow], withID: Bool, on db: any SQLDatabase) async throws {
        for chunk in rows.chunked(by: rowsPerStatement) {
            var sql = SQLQueryString("INSERT INTO tasks (")
            sql.appendInterpolation(unsafeRaw: withID ? "id, " : "")
            sql.appendInterpolation(unsafeRaw: """
                command_id, step_idx, service, role, host, operation, state, error_code,
                  detail, exit_code, output_tail, started_at, ended_at) VALUES 
                """)
            for (i, row) in chunk.enumerated() {
                sql.appendInterpolation(unsafeRaw: i == 0 ? "(" : ", (")
                if withID {
                    sql.appendInterpolation(bind: row.task.id)
                    sql.appendInterpolation(unsafeRaw: ", ")
                }
                sql.appendInterpolation(bind: row.commandId)
                appendColumns(of: row, to: &sql)
            }
            if withID {
                sql.appendInterpolation(unsafeRaw: """
                     ON CONFLICT (id) DO UPDATE SET state = excluded.state, error_code = excluded.error_code,
                      detail = excluded.detail, exit_code = excluded.exit_code, output_tail = excluded.output_tail,
                      started_at = excluded.started_at, ended_at = excluded.ended_at
                    """)
            }
            try await db.raw(sql).run()
        }
    }

    /// The columns after `command_id`, closing the row's parenthesis.
    private static func appendColumns(of row: TaskRow, to sql: inout SQLQueryString) {
        let task = row.task
        sql.appendInterpolation(unsafeRaw: ", ")
        sql.appendInterpolation(bind: row.step)
        for text in [task.instance.service, task.instance.role, task.instance.host, task.operation.rawValue, task.state.rawValue] {
            sql.appendInterpolation(unsafeRaw: ", ")
            sql.appendInterpolation(bind: text)
        }
        sql.appendInterpolation(unsafeRaw: ", ")
        sql.appendInterpolation(bind: task.errorCode?.rawValue)
        sql.appendInterpolation(unsafeRaw: ", ")
        sql.appendInterpolation(bind: task.detail)
        sql.appendInterpolation(unsafeRaw: ", ")
        sql.appendInterpolation(bind: task.exitCode.map(Int.init))
        sql.appendInterpolation(unsafeRaw: ", ")
        sql.appendInterpolation(bind: task.outputTail)
        sql.appendInterpolation(unsafeRaw: ", ")
        sql.appendInterpolation(bind: task.startedAt)
        sql.appendInterpolation(unsafeRaw: ", ")
        sql.appendInterpolation(bind: task.endedAt)
        sql.appendInterpolation(unsafeRaw: ")")
    }
}

extension Array {
    func chunked(by size: Int) -> [ArraySlice<Element>] {
        stride(from: 0, to: count, by: size).map { self[$0..<Swift.min($0 + size, count)] }
    }
}
