#include "ui/open/outlinedock.h"

#include "core/nix/evaluatednodes.h"
#include "core/nix/nixstring.h"
#include "core/nix/scriptlinemap.h"
#include "core/nix/testinfo.h"
#include "core/worker.h"

#include <QFile>
#include <QHeaderView>
#include <QTreeWidget>

namespace nixtide {

namespace {

constexpr int kLineRole = Qt::UserRole;
constexpr int kPathRole = Qt::UserRole + 1; // set when not the test's own file

struct Machines
{
    QStringList nodes;
    QList<int> vlans;
    QString error;
    NixError nixError;
};

// The script as it will be built, with each antiquotation replaced by a
// one-line placeholder, and its line map to the file it is written in: the
// .nix text, or a script file (`readFile ./x.py`) whose lines map 1:1.
// Placeholders are names, so `"${ip}"` stays a string and `${pkgs.x}/bin/y`
// a path-like text.
struct ScriptText
{
    QString script;
    ScriptLineMap map;
    QString path; // the file the lines are in; empty: the test's own file
    QString error;
    int firstLine = 0; // the literal's opening line
};

ScriptText scriptFileText(const QString &path)
{
    ScriptText out;
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        out.error = QObject::tr("cannot read %1: %2").arg(path, file.errorString());
        return out;
    }
    out.path = path;
    out.script = QString::fromUtf8(file.readAll());
    out.firstLine = 1;
    return out;
}

ScriptText readScript(const QString &path, const QString &nixSource, const ScriptLocation &location)
{
    // `testScript = builtins.readFile ./x.py`: the outline is that file's.
    if (location.isScriptFile) {
        const QString scriptPath = scriptValuePath(path, location);
        if (!scriptPath.isEmpty())
            return scriptFileText(scriptPath);
    }
    ScriptText out;
    const NixStringLiteral literal = scriptLiteral(nixSource, location);
    if (!literal.ok()) {
        out.error = literal.begin < 0 && location.error.isEmpty()
            ? QObject::tr("the testScript is not a string")
            : literal.error;
        return out;
    }
    out.firstLine = literal.line;
    const NixStringTemplate tmpl = NixSource::strip(literal);
    QStringList values;
    for (qsizetype i = 0; i < tmpl.antiquotations().size(); ++i)
        values.append(QStringLiteral("_nixtide_antiquotation_%1").arg(i));
    out.script = tmpl.render(values);
    out.map = ScriptLineMap::build(tmpl, out.script);
    return out;
}

// Every test's script of the file (a file may define several); a Python
// file is its own script.
QList<ScriptText> readScripts(const QString &path, const QString &source)
{
    if (!path.endsWith(QLatin1StringView(".nix"))) {
        ScriptText text;
        text.script = source;
        text.firstLine = 1;
        return {text};
    }
    QList<ScriptLocation> locations = locateScriptsInSource(source);
    if (locations.size() <= 1)
        return {readScript(path, source, locateScriptInSource(source))};
    QList<ScriptText> out;
    for (const ScriptLocation &location : std::as_const(locations))
        out.append(readScript(path, source, location));
    return out;
}

QTreeWidgetItem *section(QTreeWidget *tree, const QString &title)
{
    auto *item = new QTreeWidgetItem(tree, {title});
    item->setFlags(Qt::ItemIsEnabled);
    item->setExpanded(true);
    return item;
}

// The script's subtests and statements, at their .nix lines, under `under`.
void addStatements(QTreeWidgetItem *under, const ScriptText &text)
{
    QString error = text.error;
    const QList<ScriptStatement> statements
        = error.isEmpty() ? TestInfo::scriptOutline(text.script, &error) : QList<ScriptStatement>();
    if (!error.isEmpty()) {
        auto *item = new QTreeWidgetItem(under, {OutlineDock::tr("cannot read the script")});
        item->setToolTip(0, error);
        return;
    }
    const QStringList lines = text.script.split(u'\n');
    QTreeWidgetItem *subtest = nullptr;
    int subtestEnd = 0;
    for (const ScriptStatement &s : statements) {
        // No map: a script file, whose lines are the script's.
        const int nixLine
            = text.map.isValid() ? text.map.nixLineForScriptLine(s.firstLine) : s.firstLine;
        const QString title = s.label.isEmpty() ? lines.value(s.firstLine - 1).trimmed()
                                                : OutlineDock::tr("subtest: %1").arg(s.label);
        // Subtests nest under the subtest they are written in.
        QTreeWidgetItem *parent = subtest && s.firstLine <= subtestEnd ? subtest : under;
        auto *item = new QTreeWidgetItem(parent, {title});
        item->setData(0, kLineRole, nixLine);
        item->setData(0, kPathRole, text.path);
        item->setToolTip(0, OutlineDock::tr("line %1").arg(nixLine));
        if (!s.label.isEmpty()) {
            item->setExpanded(true);
            if (parent == under) {
                subtest = item;
                subtestEnd = s.lastLine;
            }
        }
    }
}

} // namespace

OutlineDock::OutlineDock(QWidget *parent)
    : QDockWidget(tr("Outline"), parent)
    , m_tree(new QTreeWidget(this))
{
    setObjectName(QStringLiteral("outlineDock"));
    m_tree->setHeaderHidden(true);
    m_tree->setColumnCount(1);
    m_nodes = section(m_tree, tr("Nodes"));
    m_vlans = section(m_tree, tr("VLANs"));
    m_script = section(m_tree, tr("Script"));
    setWidget(m_tree);
    const auto jump = [this](QTreeWidgetItem *item) {
        const int line = item->data(0, kLineRole).toInt();
        const QString path = item->data(0, kPathRole).toString();
        if (line > 0)
            Q_EMIT jumpTo(path.isEmpty() ? m_path : path, line);
    };
    connect(m_tree, &QTreeWidget::itemActivated, this, jump);
    // A single click jumps too: the outline is for getting around.
    connect(m_tree, &QTreeWidget::itemClicked, this, jump);
}

void OutlineDock::setTest(const TestRef &ref, const QString &path, const QString &nixSource)
{
    const int generation = ++m_generation;
    qDeleteAll(m_nodes->takeChildren());
    qDeleteAll(m_vlans->takeChildren());
    new QTreeWidgetItem(m_nodes, {tr("evaluating…")});
    setScriptSource(path, nixSource);
    // TestInfo::outline waits for `nix eval`: never on the GUI thread.
    runOnWorker(
        this,
        [ref] {
            NixError error;
            const TestInfo::Outline outline = TestInfo::outline(ref, &error);
            Machines out {outline.nodes, outline.vlans, QString(), error};
            if (error.kind != NixError::Kind::None)
                out.error = error.toText();
            return out;
        },
        [this, generation, path](Machines m) {
            if (generation != m_generation)
                return;
            // Nix's names reach lint and completion before machinesReady.
            if (m.error.isEmpty())
                EvaluatedNodes::set(path, m.nodes);
            showMachines(m.nodes, m.vlans, m.error);
            if (m.nixError.line > 0 && !m.nixError.file.isEmpty())
                Q_EMIT evaluationFailed(
                    m.nixError.file, m.nixError.line, m.nixError.column, m.nixError.message);
        });
}

void OutlineDock::showMachines(
    const QStringList &nodes, const QList<int> &vlans, const QString &error)
{
    qDeleteAll(m_nodes->takeChildren());
    qDeleteAll(m_vlans->takeChildren());
    if (!error.isEmpty()) {
        // Visible, not only in a tooltip: Nix's first line names file and line.
        auto *item = new QTreeWidgetItem(
            m_nodes, {tr("cannot evaluate: %1").arg(error.section(u'\n', 0, 0))});
        item->setToolTip(0, error);
    }
    for (const QString &node : nodes)
        new QTreeWidgetItem(m_nodes, {node});
    for (int vlan : vlans)
        new QTreeWidgetItem(m_vlans, {tr("VLAN %1").arg(vlan)});
    Q_EMIT machinesReady(error);
}

void OutlineDock::setScriptFile(const QString &path, const QString &script)
{
    // No test to evaluate: an earlier test's late answer must not land here.
    ++m_generation;
    qDeleteAll(m_nodes->takeChildren());
    qDeleteAll(m_vlans->takeChildren());
    setScriptSource(path, script);
}

void OutlineDock::setScriptSource(const QString &path, const QString &source)
{
    m_path = path;
    qDeleteAll(m_script->takeChildren());
    const QList<ScriptText> texts = readScripts(path, source);
    for (const ScriptText &text : texts) {
        QTreeWidgetItem *under = m_script;
        if (texts.size() > 1) {
            // One branch per test when the file defines several.
            under
                = new QTreeWidgetItem(m_script, {tr("testScript at line %1").arg(text.firstLine)});
            under->setData(0, kLineRole, text.firstLine);
            under->setExpanded(true);
        }
        addStatements(under, text);
    }
}

} // namespace nixtide
