#include "core/nix/nixlog.h"

#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QRegularExpression>

#include <algorithm>
#include <limits>

namespace nixtide {

namespace {

// Nix's activity and result types (libutil/logging.hh), stable since 2.0.
enum ActivityType : int {
    actCopyPath = 100,
    actFileTransfer = 101,
    actCopyPaths = 103,
    actBuilds = 104,
    actBuild = 105,
};
enum ResultType : int {
    resBuildLogLine = 101,
    resSetPhase = 104,
    resProgress = 105,
    resPostBuildLogLine = 107,
};
constexpr int kTailLines = 25;

const QRegularExpression &drvPattern()
{
    static const QRegularExpression re(QStringLiteral("'?(/nix/store/[^' ]+\\.drv)'?"));
    return re;
}

// Nix's message without the trace entries (`… while …`) that point into
// nixtide's own `--expr`/`--apply` text («string»): they are nixtide's
// wrapper, not the user's code. Colours are kept.
QString withoutWrapperFrames(const QString &message)
{
    // A trace entry starts with `…` and names its place on an `at
    // FILE:LINE:COL:` line; Nix ends it with a blank line. An entry with no
    // place (`… while realising the context of a path`) goes with the one
    // before it.
    static const QRegularExpression place(
        QStringLiteral("^\\s*at \\S.*:\\d+:\\d+:?\\s*$"), QRegularExpression::MultilineOption);
    static const QString ellipsis(QChar(0x2026));
    static const QString expression = QChar(0x00ab) + QStringLiteral("string") + QChar(0x00bb);
    QStringList out;
    QStringList block;
    bool droppedLast = false;
    auto flush = [&] {
        if (block.isEmpty())
            return;
        const QString plain = NixLogParser::stripAnsi(block.join(u'\n'));
        bool drop = false;
        if (plain.trimmed().startsWith(ellipsis)) {
            drop = plain.contains(expression) || (droppedLast && !place.match(plain).hasMatch());
            droppedLast = drop;
        }
        if (!drop)
            out += block;
        block.clear();
    };
    for (const QString &line : message.split(u'\n')) {
        const QString plain = NixLogParser::stripAnsi(line).trimmed();
        if (plain.startsWith(ellipsis))
            flush();
        block.append(line);
        if (plain.isEmpty())
            flush();
    }
    flush();
    return out.join(u'\n');
}

} // namespace

QJsonObject NixProgress::toJson() const
{
    QJsonObject o {{QStringLiteral("done"), done}, {QStringLiteral("expected"), expected},
        {QStringLiteral("running"), running}, {QStringLiteral("failed"), failed},
        {QStringLiteral("current"), current}};
    if (downloadsExpected > 0) {
        o.insert(QStringLiteral("downloadsDone"), downloadsDone);
        o.insert(QStringLiteral("downloadsExpected"), downloadsExpected);
    }
    if (bytesExpected > 0) {
        o.insert(QStringLiteral("bytesDone"), bytesDone);
        o.insert(QStringLiteral("bytesExpected"), bytesExpected);
    }
    if (!phase.isEmpty())
        o.insert(QStringLiteral("phase"), phase);
    return o;
}

QString NixError::kindName(Kind kind)
{
    switch (kind) {
    case Kind::None:
        return QStringLiteral("none");
    case Kind::Eval:
        return QStringLiteral("eval");
    case Kind::Build:
        return QStringLiteral("build");
    case Kind::NixMissing:
        return QStringLiteral("nix-missing");
    case Kind::FileMissing:
        return QStringLiteral("file-missing");
    case Kind::AttributeMissing:
        return QStringLiteral("attribute-missing");
    case Kind::Cancelled:
        return QStringLiteral("cancelled");
    case Kind::Other:
        return QStringLiteral("other");
    }
    return {};
}

QString NixError::toText() const
{
    QString out;
    if (!file.isEmpty()) {
        out = file;
        if (line > 0)
            out += u':' + QString::number(line) + u':' + QString::number(column);
        out += QStringLiteral(": ");
    }
    out += QStringLiteral("error: ") + message;
    if (kind == Kind::Build && !logTail.isEmpty()) {
        out += QStringLiteral("\nlast lines of the build log of %1:").arg(derivation);
        for (const QString &l : logTail)
            out += QStringLiteral("\n  ") + l;
    }
    return out;
}

QJsonObject NixError::toJson() const
{
    return {{QStringLiteral("kind"), kindName(kind)}, {QStringLiteral("file"), file},
        {QStringLiteral("line"), line}, {QStringLiteral("column"), column},
        {QStringLiteral("message"), message}, {QStringLiteral("derivation"), derivation},
        {QStringLiteral("logTail"), QJsonArray::fromStringList(logTail)}};
}

QString NixLogParser::stripAnsi(const QString &text)
{
    static const QRegularExpression ansi(QStringLiteral("\x1b\\[[0-9;]*[A-Za-z]"));
    QString out = text;
    out.remove(ansi);
    return out;
}

QString NixLogParser::drvName(const QString &drvPath)
{
    QString name = drvPath.section(u'/', -1);
    if (name.size() > 33 && name.at(32) == u'-')
        name = name.mid(33);
    if (name.endsWith(QLatin1StringView(".drv")))
        name.chop(4);
    return name;
}

void NixLogParser::feed(const QByteArray &rawLine)
{
    QByteArray line = rawLine;
    while (line.endsWith('\n') || line.endsWith('\r'))
        line.chop(1);
    if (!line.startsWith("@nix ")) {
        if (!line.trimmed().isEmpty())
            m_plainLines.append(stripAnsi(QString::fromUtf8(line)));
        return;
    }
    const QJsonDocument doc = QJsonDocument::fromJson(line.mid(5));
    if (doc.isObject())
        handle(doc.object());
}

void NixLogParser::handle(const QJsonObject &o)
{
    const QString action = o.value(QLatin1StringView("action")).toString();
    // toInteger(): a number that is no qint64 (1e300, 0.5) must not be cast,
    // which is undefined behaviour (found by the nixlog fuzz target).
    const qint64 id = o.value(QLatin1StringView("id")).toInteger(-1);
    const int type = o.value(QLatin1StringView("type")).toInt();
    const QJsonArray fields = o.value(QLatin1StringView("fields")).toArray();

    if (action == QLatin1StringView("msg")) {
        // Nix follows an error with hints such as "(use '--show-trace' …)"
        // at the same level; only messages that carry an error count.
        const bool hint = !o.contains(QLatin1StringView("raw_msg"))
            && o.value(QLatin1StringView("msg")).toString().startsWith(u'(');
        const int level = o.value(QLatin1StringView("level")).toInt();
        if (level == 0 && !hint)
            m_errors.append(o);
        if (level <= 1 && onMessage)
            onMessage(withoutWrapperFrames(o.value(QLatin1StringView("msg")).toString()));
        return;
    }
    if (action == QLatin1StringView("start")) {
        m_types.insert(id, type);
        if (type == actBuild) {
            const QString drv = fields.at(0).toString();
            m_buildDrvs.insert(id, drv);
            m_progress.currentDrv = drv;
            m_progress.current = drvName(drv);
            m_progress.phase.clear();
            if (onProgress)
                onProgress(m_progress);
        }
        return;
    }
    if (action == QLatin1StringView("stop")) {
        m_types.remove(id);
        return;
    }
    if (action != QLatin1StringView("result"))
        return;

    const int activity = m_types.value(id, -1);
    if (type == resBuildLogLine || type == resPostBuildLogLine) {
        const QString drv = m_buildDrvs.value(id);
        const QString text = stripAnsi(fields.at(0).toString());
        QStringList &tail = m_tails[drv];
        tail.append(text);
        if (tail.size() > kTailLines)
            tail.removeFirst();
        if (onLogLine)
            onLogLine(drvName(drv), text);
        return;
    }
    if (type == resSetPhase && activity == actBuild) {
        m_progress.phase = fields.at(0).toString();
        if (onProgress)
            onProgress(m_progress);
        return;
    }
    if (type != resProgress)
        return;
    const auto field = [&fields](int i) { return fields.at(i).toInteger(0); };
    const auto count = [&field](int i) {
        return int(std::clamp<qint64>(field(i), 0, std::numeric_limits<int>::max()));
    };
    if (activity == actBuilds) {
        m_progress.done = count(0);
        m_progress.expected = count(1);
        m_progress.running = count(2);
        m_progress.failed = count(3);
    } else if (activity == actCopyPaths) {
        m_progress.downloadsDone = count(0);
        m_progress.downloadsExpected = count(1);
    } else if (activity == actCopyPath || activity == actFileTransfer) {
        m_progress.bytesDone = field(0);
        m_progress.bytesExpected = field(1);
    } else {
        return;
    }
    if (onProgress)
        onProgress(m_progress);
}

namespace {

struct SourcePosition
{
    QString file;
    int line = 0;
    int column = 0;
};

// Nix 2.8 to 2.2x and Lix give `file`, `line` and `column` as separate
// fields. Nix 2.26 also appends the position to `file`
// ("/src/test.nix:6:28"), with or without the numbers beside it. The suffix
// is taken off the name; separate numbers win when present.
SourcePosition positionOf(const QJsonObject &p)
{
    SourcePosition pos;
    const QJsonValue fileValue = p.value(QLatin1StringView("file"));
    if (!fileValue.isString())
        return pos;
    pos.file = fileValue.toString();
    pos.line = p.value(QLatin1StringView("line")).toInt();
    pos.column = p.value(QLatin1StringView("column")).toInt();
    static const QRegularExpression suffix(QStringLiteral("^(.+):(\\d+):(\\d+)$"));
    const QRegularExpressionMatch m = suffix.match(pos.file);
    if (!m.hasMatch() || QFileInfo::exists(pos.file))
        return pos;
    pos.file = m.captured(1);
    if (pos.line <= 0) {
        pos.line = m.captured(2).toInt();
        pos.column = m.captured(3).toInt();
    }
    return pos;
}

} // namespace

NixError NixLogParser::error() const
{
    NixError err;
    if (m_errors.isEmpty()) {
        if (m_plainLines.isEmpty())
            return err;
        err.kind = NixError::Kind::Other;
        err.message = m_plainLines.last();
        err.details = m_plainLines.join(u'\n');
        return err;
    }
    // A failed build reports the builder's failure first and then its
    // dependants; the first one names the derivation whose log matters.
    QJsonObject chosen = m_errors.last();
    for (const QJsonObject &e : m_errors) {
        const QString raw = stripAnsi(e.value(QLatin1StringView("raw_msg")).toString());
        if (raw.contains(QLatin1StringView("builder for"))
            || raw.contains(QLatin1StringView("Cannot build"))) {
            chosen = e;
            break;
        }
    }
    const QString raw = stripAnsi(chosen.value(QLatin1StringView("raw_msg")).toString());
    const QString full = stripAnsi(chosen.value(QLatin1StringView("msg")).toString());
    err.message = raw.isEmpty() ? full.section(u'\n', 0, 0) : raw.section(u'\n', 0, 0).trimmed();
    err.message.remove(QRegularExpression(QStringLiteral("^error:\\s*")));
    err.details = withoutWrapperFrames(full);

    // Position: Nix's own, mapped to the working tree; newer Nix adds a
    // trace whose entries are tried when the top one is not a user file.
    QList<QJsonObject> positions {chosen};
    for (const QJsonValue &t : chosen.value(QLatin1StringView("trace")).toArray())
        positions.append(t.toObject());
    for (const QJsonObject &p : positions) {
        const SourcePosition pos = positionOf(p);
        if (pos.file.isEmpty() || pos.line <= 0)
            continue;
        QString file = pos.file;
        if (mapPath)
            file = mapPath(file);
        const bool userFile
            = !file.startsWith(QLatin1StringView("/nix/store/")) && QFileInfo(file).isFile();
        if (err.file.isEmpty() || userFile) {
            err.file = file;
            err.line = pos.line;
            err.column = pos.column;
        }
        if (userFile)
            break;
    }

    const QRegularExpressionMatch drv = drvPattern().match(raw);
    if (raw.contains(QLatin1StringView("builder for"))
        || raw.contains(QLatin1StringView("Cannot build"))
        || raw.contains(QLatin1StringView("build of"))) {
        err.kind = NixError::Kind::Build;
        err.derivation = drv.captured(1);
        err.logTail = m_tails.value(err.derivation);
        err.message = QStringLiteral("building %1 failed").arg(drvName(err.derivation));
        const QRegularExpressionMatch code
            = QRegularExpression(QStringLiteral("exit code (\\d+)")).match(raw + full);
        if (code.hasMatch())
            err.message += QStringLiteral(" with exit code ") + code.captured(1);
    } else if ((raw.contains(QLatin1StringView("attribute"))
                   && raw.contains(QLatin1StringView("not found")))
        || raw.contains(QLatin1StringView("does not provide attribute"))) {
        err.kind = NixError::Kind::AttributeMissing;
    } else if (raw.contains(QLatin1StringView("No such file or directory"))
        || raw.contains(QLatin1StringView("does not exist"))) {
        err.kind = NixError::Kind::FileMissing;
    } else {
        err.kind = NixError::Kind::Eval;
    }
    return err;
}

} // namespace nixtide
