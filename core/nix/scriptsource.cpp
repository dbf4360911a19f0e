#include "core/nix/scriptsource.h"

#include "core/nix/driversymbols.h"
#include "core/nix/nixstring.h"
#include "core/nix/scriptlinemap.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QRegularExpression>

namespace nixtide {

EditorScript extractEditorScript(const QString &fileText, bool nix)
{
    EditorScript script;
    if (!nix) {
        script.text = fileText;
        const int count = int(fileText.count(u'\n')) + 1;
        script.fileLines.reserve(count);
        for (int i = 1; i <= count; ++i)
            script.fileLines.append(i);
        script.found = true;
        return script;
    }
    const ScriptLocation location = locateScriptInSource(fileText);
    const int offset = scriptStringOffset(fileText, location);
    if (!location.found() || offset < 0)
        return script;
    const NixStringLiteral literal = NixSource::parseString(fileText, offset);
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

// Machine names under the attributes `kinds` names (a regex alternation).
QStringList machineNamesUnder(const QString &fileText, const QString &kinds)
{
    QStringList names;
    const auto add = [&names](const QString &name) {
        // The driver turns `my-vm` into the Python name `my_vm`.
        QString python = name;
        python.replace(u'-', u'_');
        if (!names.contains(python))
            names.append(python);
    };
    // `nodes.a = …`, `containers.b = …` (and `nodes.a.x = …`), also as
    // `${nodes.a.…}` in the script.
    const QRegularExpression dotted(
        QStringLiteral("(?<![\\w'.-])(?:%1)\\s*\\.\\s*\"?([A-Za-z_][\\w'-]*)").arg(kinds));
    for (auto it = dotted.globalMatch(fileText); it.hasNext();)
        add(it.next().captured(1));
    // `nodes = { a = …; "b" = …; }`: the set's top-level attribute names,
    // with Nix's own rules for strings and comments (a `#` in a string is
    // no comment).
    const QRegularExpression block(QStringLiteral("(?<![\\w'.-])(?:%1)\\s*=\\s*\\{").arg(kinds));
    static const QRegularExpression name(QStringLiteral("^\"?([A-Za-z_][\\w'-]*)\"?"));
    for (auto it = block.globalMatch(fileText); it.hasNext();) {
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
    return machineNamesUnder(fileText, QStringLiteral("nodes|containers"));
}

QStringList containerNames(const QString &fileText)
{
    return machineNamesUnder(fileText, QStringLiteral("containers"));
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
    const QRegularExpression readsIt(QStringLiteral("readFile\\s+\\./%1(?![\\w.-])")
            .arg(QRegularExpression::escape(script.fileName())));
    QStringList names;
    const QDir dir = script.dir();
    for (const QString &entry : dir.entryList({QStringLiteral("*.nix")}, QDir::Files)) {
        QFile file(dir.filePath(entry));
        if (!file.open(QIODevice::ReadOnly))
            continue;
        const QString text = QString::fromUtf8(file.readAll());
        if (!readsIt.match(text).hasMatch())
            continue;
        for (const QString &name : nodeNames(text)) {
            if (!names.contains(name))
                names.append(name);
        }
    }
    return names;
}

} // namespace nixtide
