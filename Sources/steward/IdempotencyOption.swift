import ArgumentParser
import StewardClient

/// `--idempotency-key KEY` of every subcommand that makes a command.
struct IdempotencyOption: ParsableArguments {
    @Option(name: .customLong("idempotency-key"),
            help: ArgumentHelp("Idempotency-Key of the request (default: a new one per run, so that a request whose connection "
                               + "dropped is sent again safely). Give your own to make running this again safe: the same key "
                               + "answers the same command for 24 h.", valueName: "KEY"))
    var given: String?

    /// The key given, or a new one: made once per run, so every attempt of the request sends the same.
    func key() -> String { given ?? StewardClient.newIdempotencyKey() }
}
