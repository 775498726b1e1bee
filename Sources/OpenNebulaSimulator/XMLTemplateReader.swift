/// Templates sent as XML (`<TEMPLATE><NAME>x</NAME><NIC><NETWORK_ID>0</NETWORK_ID></NIC></TEMPLATE>`),
/// which OpenNebula accepts wherever a template string is expected and which
/// pyone sends for dictionaries.
enum XMLTemplateReader {
    static func parse(_ text: String) throws(TemplateParseError) -> [TemplateAttribute] {
        let root: XMLTree
        do {
            root = try XMLTree.parse(Array(text.utf8))
        } catch {
            throw TemplateParseError(detail: "XML Template malformed.")
        }
        return root.children.map { element in
            if element.children.isEmpty {
                return .single(name: element.name.uppercased(), value: element.text)
            }
            var values: [String: String] = [:]
            for pair in element.children where values[pair.name.uppercased()] == nil {
                values[pair.name.uppercased()] = pair.text
            }
            return .vector(name: element.name.uppercased(), values: values)
        }
    }
}
