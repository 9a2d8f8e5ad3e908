import Foundation
import Mustache
import StewardAPI

/// Config files and host entries: what a stack says beyond its parameters.
extension StackLoader {
    /// Each file's format, name and, for a `template`, its text (inline, or
    /// read from `template_file` beside the stack file), which must parse.
    static func configFiles(_ list: [StackFile.ConfigFileFile], role: String, directory: String?,
                            problems: inout [String]) -> [ConfigFileSpec] {
        var files: [ConfigFileSpec] = []
        var seen: Set<String> = []
        for f in list {
            let what = "role \(role): config file \(f.name)"
            guard let format = ConfigFileSpec.Format(rawValue: f.format) else {
                let known = ConfigFileSpec.Format.allCases.map(\.rawValue).joined(separator: ", ")
                problems.append("\(what): format '\(f.format)' is not one of \(known)")
                continue
            }
            if !isFileName(f.name) { problems.append("role \(role): config file name '\(f.name)' must be a plain file name") }
            if !seen.insert(f.name).inserted { problems.append("\(what) is listed twice") }
            guard format == .template else {
                if f.template != nil || f.templateFile != nil {
                    problems.append("\(what): template and template_file need the format 'template'")
                }
                files.append(ConfigFileSpec(name: f.name, format: format))
                continue
            }
            guard let text = templateText(f, what: what, directory: directory, problems: &problems) else { continue }
            if let why = templateProblem(text) { problems.append("\(what): \(why)") }
            files.append(ConfigFileSpec(name: f.name, format: format, template: text))
        }
        return files
    }

    private static func templateText(_ f: StackFile.ConfigFileFile, what: String, directory: String?,
                                     problems: inout [String]) -> String? {
        switch (f.template, f.templateFile) {
        case (let text?, nil):
            return text
        case (nil, let path?):
            guard let directory else {
                problems.append("\(what): template_file needs a stack file to be relative to; give the template inline")
                return nil
            }
            let full = path.hasPrefix("/") ? path : directory + "/" + path
            guard let data = FileManager.default.contents(atPath: full) else {
                problems.append("\(what): cannot read template_file '\(full)'")
                return nil
            }
            guard let text = String(data: data, encoding: .utf8) else {
                problems.append("\(what): template_file '\(full)' is not UTF-8 text")
                return nil
            }
            return text
        case (nil, nil):
            problems.append("\(what): a template needs 'template' or 'template_file'")
            return nil
        case (_?, _?):
            problems.append("\(what): give 'template' or 'template_file', not both")
            return nil
        }
    }

    /// Why a template does not parse, with the line and column; nil when it does.
    static func templateProblem(_ text: String) -> String? {
        do {
            _ = try MustacheTemplate(string: text)
            return nil
        } catch let error as MustacheTemplate.ParserError {
            return "the template does not parse at line \(error.context.lineNumber), column \(error.context.columnNumber) "
                + "('\(error.context.line.trimmingCharacters(in: .whitespaces).prefix(80))'): \(error.error)"
        } catch {
            return "the template does not parse: \(error)"
        }
    }

    /// The addresses the stack gives its hosts; each must be one token, no spaces.
    static func hostAddresses(_ entries: [StackFile.HostEntry], problems: inout [String]) -> [String: String] {
        var out: [String: String] = [:]
        for entry in entries {
            guard let address = entry.address else { continue }
            if address.isEmpty || address.count > 255 || address.contains(where: { $0.isWhitespace || $0 == "/" }) {
                problems.append("host \(entry.name): address '\(address.prefix(64))' is not a host address")
                continue
            }
            out[entry.name] = address
        }
        return out
    }
}
