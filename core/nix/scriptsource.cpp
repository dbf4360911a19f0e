#include "core/nix/scriptsource.h"

#include "core/nix/driversymbols.h"
#include "core/nix/nixstring.h"
#include "core/nix/scriptlinemap.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QRegularExpression>

#include <algorithm>

namespace nixtide {

namespace {

EditorScript scriptAt(const QString &fileText, const ScriptLocation &location)
{
    EditorScript script;
    script.testSource = fileText;
    const NixStringLiteral literal = scriptLiteral(fileText, location);
    if (!literal.ok())
        return script;
    // Each script line maps to the file line of its first character, so lines
    // stay aligned across stripped indentation, escapes and multi-line `${…}`.
    bool lineStart = true;
    const auto append = [&](QChar c, int line) {
        if (lineStart)
            script.fileLines.append(line);
        script.text.append(c);
        lineStart = c == u'\n';
    };
    for (const NixStringPart &part : NixSource::strip(literal).segments) {
        if (part.kind == NixStringPart::Kind::Antiquotation) {
            for (const QChar c : QLatin1String(kAntiquotationPlaceholder))
                append(c, part.line);
            continue;
        }
        for (int i = 0; i < part.text.size(); ++i)
            append(part.text.at(i), part.lines.value(i, part.line));
    }
    if (lineStart) // the script's last line is empty; it still has a number
        script.fileLines.append(literal.line
            + int(fileText.mid(literal.begin, literal.end - literal.begin).count(u'\n')));
    script.found = true;
    return script;
}

// The attribute set `{ … }` whose body holds `offset` most closely (strings
// and comments skipped), or the whole text when there is none.
QString enclosingSet(const QString &text, int offset)
{
    QList<int> open;
    for (int i = 0; i >= 0 && i < offset && i < text.size();) {
        const int past = NixSource::skipStringOrComment(text, i);
        if (past != i) {
            i = past;
            continue;
        }
        if (text.at(i) == u'{')
            open.append(i);
        else if (text.at(i) == u'}' && !open.isEmpty())
            open.removeLast();
        ++i;
    }
    if (open.isEmpty())
        return text;
    const int close = NixSource::skipToClosingBrace(text, open.last() + 1);
    return close < 0 ? text : text.mid(open.last(), close - open.last() + 1);
}

} // namespace

EditorScript extractEditorScript(const QString &fileText, bool nix)
{
    if (!nix) {
        EditorScript script;
        script.text = fileText;
        const int count = int(fileText.count(u'\n')) + 1;
        script.fileLines.reserve(count);
        for (int i = 1; i <= count; ++i)
            script.fileLines.append(i);
        script.found = true;
        return script;
    }
    return scriptAt(fileText, locateScriptInSource(fileText));
}

QList<EditorScript> extractEditorScripts(const QString &fileText, bool nix)
{
    const QList<ScriptLocation> locations
        = nix ? locateScriptsInSource(fileText) : QList<ScriptLocation>();
    if (locations.size() <= 1)
        return {extractEditorScript(fileText, nix)};
    QList<EditorScript> scripts;
    for (const ScriptLocation &location : locations) {
        EditorScript script = scriptAt(fileText, location);
        if (!script.found)
            continue;
        script.testSource = enclosingSet(
            fileText, NixSource::offsetOf(fileText, location.attrLine, location.attrColumn));
        scripts.append(script);
    }
    if (scripts.isEmpty())
        scripts.append(extractEditorScript(fileText, nix));
    return scripts;
}

QStringList driverGlobals()
{
    // The driver's own test_symbols() names when its source could be read;
    // a lone machine is also `machine`.
    QStringList names = DriverSymbols::active().globals;
    if (names.isEmpty()) {
        names = {QStringLiteral("start_all"), QStringLiteral("machines"), QStringLiteral("driver"),
            QStringLiteral("subtest"), QStringLiteral("retry"), QStringLiteral("join_all"),
            QStringLiteral("serial_stdout_on"), QStringLiteral("serial_stdout_off"),
            QStringLiteral("polling_condition"), QStringLiteral("create_machine"),
            QStringLiteral("run_tests"), QStringLiteral("test_script"), QStringLiteral("log"),
            QStringLiteral("os"), QStringLiteral("t"), QStringLiteral("vlans"),
            QStringLiteral("debug")};
    }
    if (!names.contains(QStringLiteral("machine")))
        names.append(QStringLiteral("machine"));
    return names;
}

QStringList machineMethods()
{
    const QStringList fromDriver = DriverSymbols::active().methodNames();
    if (!fromDriver.isEmpty())
        return fromDriver;
    return {QStringLiteral("start"), QStringLiteral("wait_for_unit"), QStringLiteral("succeed"),
        QStringLiteral("fail"), QStringLiteral("execute"), QStringLiteral("wait_until_succeeds"),
        QStringLiteral("wait_until_fails"), QStringLiteral("wait_for_open_port"),
        QStringLiteral("wait_for_closed_port"), QStringLiteral("wait_for_file"),
        QStringLiteral("screenshot"), QStringLiteral("send_key"), QStringLiteral("send_keys"),
        QStringLiteral("send_chars"), QStringLiteral("send_monitor_command"),
        QStringLiteral("send_console"), QStringLiteral("get_screen_text"),
        QStringLiteral("wait_for_text"), QStringLiteral("wait_for_x"),
        QStringLiteral("wait_for_window"), QStringLiteral("shutdown"), QStringLiteral("crash"),
        QStringLiteral("reboot"), QStringLiteral("block"), QStringLiteral("unblock"),
        QStringLiteral("forward_port"), QStringLiteral("copy_from_host"),
        QStringLiteral("copy_from_machine"), QStringLiteral("shell_interact"),
        QStringLiteral("console_interact"), QStringLiteral("systemctl"),
        QStringLiteral("get_unit_info")};
}

namespace {

// Where machines of the attributes `kinds` (a regex alternation) are named:
// `nodes.a = …`, `containers.b = …` (and `nodes.a.x = …`), also as
// `${nodes.a.…}` in the script; and `nodes = { a = …; }`. Built once per
// kind: nodeNames() runs on every completion request.
struct MachineAttributePatterns
{
    explicit MachineAttributePatterns(const QString &kinds)
        : dotted(QStringLiteral("(?<![\\w'.-])(?:%1)\\s*\\.\\s*\"?([A-Za-z_][\\w'-]*)").arg(kinds))
        , block(QStringLiteral("(?<![\\w'.-])(?:%1)\\s*=\\s*\\{").arg(kinds))
    { }
    QRegularExpression dotted;
    QRegularExpression block;
};

QStringList machineNamesUnder(const QString &fileText, const MachineAttributePatterns &patterns)
{
    QStringList names;
    const auto add = [&names](const QString &name) {
        // The driver turns `my-vm` into the Python name `my_vm`.
        QString python = name;
        python.replace(u'-', u'_');
        if (!names.contains(python))
            names.append(python);
    };
    for (auto it = patterns.dotted.globalMatch(fileText); it.hasNext();)
        add(it.next().captured(1));
    // `nodes = { a = …; "b" = …; }`: the set's top-level attribute names,
    // with Nix's own rules for strings and comments (a `#` in a string is
    // no comment).
    static const QRegularExpression name(QStringLiteral("^\"?([A-Za-z_][\\w'-]*)\"?"));
    for (auto it = patterns.block.globalMatch(fileText); it.hasNext();) {
        int i = int(it.next().capturedEnd());
        while (i >= 0) {
            i = NixSource::skipSpace(fileText, i);
            if (i >= fileText.size() || fileText.at(i) == u'}')
                break;
            const auto m = name.match(fileText.mid(i, 200));
            if (!m.hasMatch())
                break; // not an attribute set this reading understands
            if (m.captured(1) != QLatin1StringView("inherit"))
                add(m.captured(1));
            i = NixSource::skipToSemicolon(fileText, i);
        }
    }
    return names;
}

} // namespace

QStringList nodeNames(const QString &fileText)
{
    static const MachineAttributePatterns nodesOrContainers(QStringLiteral("nodes|containers"));
    return machineNamesUnder(fileText, nodesOrContainers);
}

QStringList containerNames(const QString &fileText)
{
    static const MachineAttributePatterns containers(QStringLiteral("containers"));
    return machineNamesUnder(fileText, containers);
}

QStringList knownScriptNames(const QString &fileText)
{
    QStringList names = driverGlobals();
    for (const QString &name : nodeNames(fileText)) {
        if (!names.contains(name))
            names.append(name);
    }
    // `vlan1` … for the VLANs the nodes declare (`virtualisation.vlans = [ 1 2 ];`).
    static const QRegularExpression vlans(QStringLiteral("vlans\\s*=\\s*\\[([\\d\\s]*)\\]"));
    for (auto it = vlans.globalMatch(fileText); it.hasNext();) {
        static const QRegularExpression space(QStringLiteral("\\s+"));
        const QStringList numbers = it.next().captured(1).split(space, Qt::SkipEmptyParts);
        for (const QString &n : numbers) {
            const QString name = QStringLiteral("vlan") + n.trimmed();
            if (!names.contains(name))
                names.append(name);
        }
    }
    names.append(QLatin1String(kAntiquotationPlaceholder));
    return names;
}

QStringList companionNodeNames(const QString &scriptPath)
{
    const QFileInfo script(scriptPath);
    if (script.fileName().isEmpty())
        return {};
    const QString target = script.absoluteFilePath();
    QStringList names;
    const QDir dir = script.dir();
    for (const QString &entry : dir.entryList({QStringLiteral("*.nix")}, QDir::Files)) {
        const QString path = dir.filePath(entry);
        QFile file(path);
        if (!file.open(QIODevice::ReadOnly))
            continue;
        const QString text = QString::fromUtf8(file.readAll());
        // A testScript of the file reads it, as the locator (and the build) reads the file.
        const QList<ScriptLocation> scripts = locateScriptsInSource(text);
        if (std::none_of(scripts.cbegin(), scripts.cend(), [&](const ScriptLocation &loc) {
                return loc.isScriptFile && scriptValuePath(path, loc) == target;
            }))
            continue;
        for (const QString &name : nodeNames(text)) {
            if (!names.contains(name))
                names.append(name);
        }
    }
    return names;
}

} // namespace nixtide
