#include "ui/review/reviewwindow.h"

#include "core/review/referencestore.h"
#include "core/session/runrecordreader.h"
#include "ui/review/background.h"
#include "ui/review/imagecanvas.h"
#include "ui/review/imageviewer.h"
#include "ui/review/runhistoryview.h"
#include "ui/review/screenshotdiffview.h"
#include "ui/review/screenshottimeline.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QImage>
#include <QLabel>
#include <QListWidget>
#include <QPlainTextEdit>
#include <QSplitter>
#include <QTabWidget>
#include <QVBoxLayout>

namespace nixtide {

namespace {

// The end of a file: serial logs of long runs are megabytes.
constexpr qint64 kTextTail = 2 << 20;

struct LogStep
{
    QString text;
    QString path;
    int line = 0;
    int depth = 0;
    bool failed = false;
    QString image; // an OCR attempt's screen (the record's copy)
};

struct RunContents
{
    QList<RunScreenshot> shots;
    QList<LogStep> steps;
    QString serial;
    QString driverLog;
};

QString readTail(const QString &path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return {};
    if (file.size() > kTextTail)
        file.seek(file.size() - kTextTail);
    QString text = QString::fromUtf8(file.readAll());
    text.remove(QLatin1Char('\r'));
    return text;
}

QList<LogStep> readSteps(const QString &dir)
{
    QList<LogStep> steps;
    for (const RecordedEntry &entry : RunRecordReader::read(dir).entries) {
        if (entry.kind == RecordedEntry::Kind::Screenshot)
            continue;
        LogStep step;
        step.depth = entry.depth;
        if (entry.ocr) {
            step.text = QStringLiteral("%1: %2 (%3 s): %4")
                            .arg(entry.machine, entry.message)
                            .arg(entry.ocr->seconds, 0, 'f', 2)
                            .arg(entry.ocr->distinctLines().join(QStringLiteral(" | ")));
            step.image = entry.copy;
        } else {
            step.text = (entry.machine.isEmpty() ? QString() : entry.machine + QStringLiteral(": "))
                + entry.message;
        }
        step.path = entry.path;
        step.line = entry.line;
        step.failed = entry.failed;
        steps.append(step);
    }
    return steps;
}

RunContents readRun(const QString &dir)
{
    RunContents contents;
    QStringList warnings;
    contents.shots = RunReader::timeline(dir, &warnings);
    contents.steps = readSteps(dir);
    const QFileInfoList serials
        = QDir(dir).entryInfoList({QStringLiteral("serial-*.log")}, QDir::Files, QDir::Name);
    for (const QFileInfo &file : serials)
        contents.serial += QStringLiteral("──── %1 ────\n%2\n")
                               .arg(file.completeBaseName().mid(7), readTail(file.filePath()));
    contents.driverLog = readTail(dir + QStringLiteral("/driver.log"));
    if (!warnings.isEmpty())
        contents.driverLog.prepend(warnings.join(QLatin1Char('\n')) + QLatin1Char('\n'));
    return contents;
}

} // namespace

ReviewWindow::ReviewWindow(const QString &runsBase, QWidget *parent)
    : QWidget(parent, Qt::Window)
    , m_history(new RunHistoryView(runsBase, this))
    , m_summary(new QLabel(this))
    , m_tabs(new QTabWidget(this))
    , m_timeline(new ScreenshotTimeline(this))
    , m_diff(new ScreenshotDiffView(this))
    , m_log(new QListWidget(this))
    , m_serial(new QPlainTextEdit(this))
    , m_driverLog(new QPlainTextEdit(this))
{
    setObjectName(QStringLiteral("ReviewWindow"));
    setWindowTitle(tr("Run History and Screenshots"));
    m_summary->setWordWrap(true);
    m_summary->setTextInteractionFlags(Qt::TextSelectableByMouse);
    for (QPlainTextEdit *text : {m_serial, m_driverLog}) {
        text->setReadOnly(true);
        text->setLineWrapMode(QPlainTextEdit::NoWrap);
        text->setFont(QFont(QStringLiteral("monospace")));
    }
    m_log->setObjectName(QStringLiteral("runLog"));
    m_tabs->addTab(m_timeline, tr("Screenshots"));
    m_tabs->addTab(m_diff, tr("Diff"));
    m_tabs->addTab(m_log, tr("Log"));
    m_tabs->addTab(m_serial, tr("Serial"));
    m_tabs->addTab(m_driverLog, tr("Driver Output"));

    auto *right = new QWidget(this);
    auto *rightLayout = new QVBoxLayout(right);
    rightLayout->setContentsMargins(0, 0, 0, 0);
    rightLayout->addWidget(m_summary);
    rightLayout->addWidget(m_tabs, 1);
    auto *splitter = new QSplitter(Qt::Horizontal, this);
    splitter->addWidget(m_history);
    splitter->addWidget(right);
    splitter->setStretchFactor(1, 3);
    splitter->setSizes({440, 840});
    auto *layout = new QVBoxLayout(this);
    layout->addWidget(splitter);
    resize(1280, 800);

    connect(m_history, &RunHistoryView::runSelected, this, &ReviewWindow::loadRun);
    connect(m_timeline, &ScreenshotTimeline::compareRequested, this, &ReviewWindow::compare);
    connect(
        m_timeline, &ScreenshotTimeline::locationActivated, this, &ReviewWindow::locationActivated);
    connect(m_log, &QListWidget::itemActivated, this, [this](QListWidgetItem *item) {
        const int line = item->data(Qt::UserRole + 1).toInt();
        if (line > 0)
            Q_EMIT locationActivated(item->data(Qt::UserRole).toString(), line);
        const QString image = item->data(Qt::UserRole + 2).toString();
        if (!image.isEmpty()) {
            auto *viewer = new ImageViewer(this);
            viewer->setWindowFlag(Qt::Window);
            viewer->setAttribute(Qt::WA_DeleteOnClose);
            viewer->setWindowTitle(image);
            viewer->canvas()->setImage(QImage(image));
            viewer->resize(800, 560);
            viewer->show();
        }
    });
}

void ReviewWindow::showAndRefresh()
{
    show();
    raise();
    activateWindow();
    m_history->refresh();
}

void ReviewWindow::loadRun(const RunInfo &run)
{
    m_run = run;
    m_history->setOpenRun(run.dir);
    m_summary->setText(tr("<b>%1</b> — %2, %3 s, exit %4<br>%5<br>source %6 (SHA-256 %7)")
            .arg(run.test.toHtmlEscaped(), run.status)
            .arg(run.durationSeconds, 0, 'f', 1)
            .arg(run.exitCode)
            .arg(run.dir.toHtmlEscaped(), run.source.toHtmlEscaped(),
                run.sourceSha256.isEmpty() ? tr("not recorded") : run.sourceSha256));
    const int generation = ++m_generation;
    const QString dir = run.dir;
    runInBackground<RunContents>(
        this, [dir] { return readRun(dir); },
        [this, generation, run](const RunContents &contents) {
            if (generation != m_generation)
                return;
            m_timeline->setScreenshots(contents.shots);
            m_log->clear();
            for (const LogStep &step : contents.steps) {
                auto *item
                    = new QListWidgetItem(QString(step.depth * 4, QLatin1Char(' ')) + step.text
                            + (step.line > 0 ? QStringLiteral("   [line %1]").arg(step.line)
                                             : QString()),
                        m_log);
                item->setData(Qt::UserRole, step.path);
                item->setData(Qt::UserRole + 1, step.line);
                item->setData(Qt::UserRole + 2, step.image);
                if (!step.image.isEmpty())
                    item->setToolTip(tr("%1\nDouble-click to see the screen it read: %2")
                            .arg(step.text, step.image));
                if (step.failed)
                    item->setForeground(QColor(180, 0, 0));
            }
            m_serial->setPlainText(contents.serial);
            m_driverLog->setPlainText(contents.driverLog);
            Q_EMIT runLoaded(run);
        });
}

void ReviewWindow::compare(const RunScreenshot &shot)
{
    m_diff->setScreenshot(shot, ReferenceStore::dirFor(m_run.source, m_run.test));
    m_tabs->setCurrentWidget(m_diff);
}

} // namespace nixtide
