#include "ui/machines/machinetab.h"

#include "core/vnc/vncconnection.h"
#include "ui/machines/elidedlabel.h"
#include "ui/machines/screentexttool.h"
#include "ui/machines/serialconsole.h"
#include "ui/vnc/framebufferview.h"

#include <QAction>
#include <QDir>
#include <QLabel>
#include <QMenu>
#include <QScrollArea>
#include <QSplitter>
#include <QToolBar>
#include <QVBoxLayout>

namespace nixtide {

MachineTab::MachineTab(const QString &name, QWidget *parent)
    : QWidget(parent)
    , m_name(name)
    , m_vnc(new VncConnection(this))
    , m_toolBar(new QToolBar(this))
    , m_codeBar(new QToolBar(this))
    , m_stateLabel(new QLabel(this))
    , m_grabLabel(new QLabel(this))
    , m_message(new ElidedLabel(this))
    , m_splitter(new QSplitter(Qt::Vertical, this))
    , m_screenArea(new QScrollArea(m_splitter))
    , m_view(new FramebufferView)
    , m_console(new SerialConsole(m_splitter))
{
    m_toolBar->setIconSize(QSize(16, 16));
    m_toolBar->setToolButtonStyle(Qt::ToolButtonTextOnly);
    m_start = m_toolBar->addAction(tr("Start"), this, [this] { Q_EMIT startRequested(m_name); });
    m_shutdown
        = m_toolBar->addAction(tr("Shut Down"), this, [this] { Q_EMIT shutdownRequested(m_name); });
    m_shutdown->setToolTip(tr("Shut the VM down cleanly, as machine.shutdown()"));
    m_crash = m_toolBar->addAction(tr("Crash"), this, [this] { Q_EMIT crashRequested(m_name); });
    m_crash->setToolTip(tr("Kill the VM at once, as a power cut would"));
    m_screenshot = m_toolBar->addAction(
        tr("Screenshot"), this, [this] { Q_EMIT screenshotRequested(m_name); });
    m_screenshot->setToolTip(tr("Save the screen as a PNG in the run record"));
    auto *screenshotMenu = new QMenu(this);
    m_driverScreenshot = screenshotMenu->addAction(tr("Through the Driver (QEMU screendump)"), this,
        [this] { Q_EMIT driverScreenshotRequested(m_name); });
    m_screenshot->setMenu(screenshotMenu);
    m_toolBar->addSeparator();
    m_oneToOne = m_toolBar->addAction(tr("1:1"));
    m_oneToOne->setCheckable(true);
    m_oneToOne->setToolTip(tr("Show the screen pixel for pixel instead of fitted"));
    connect(m_oneToOne, &QAction::toggled, this, [this](bool on) {
        m_view->setScaleMode(
            on ? FramebufferView::ScaleMode::OneToOne : FramebufferView::ScaleMode::Fit);
        updateScreenSize();
    });
    QAction *find = m_toolBar->addAction(tr("Find"), m_console, &SerialConsole::showFind);
    find->setToolTip(tr("Find in the serial console (Ctrl+Shift+F)"));
    m_toolBar->addSeparator();
    // The screen's code tools get a row of their own: in the first they
    // would hide behind its overflow button in a narrow tab.
    m_textTool = new ScreenTextTool(m_name, m_view, this);
    m_codeBar->setToolButtonStyle(Qt::ToolButtonTextOnly);
    m_codeBar->addAction(m_textTool->readTextAction());
    m_codeBar->addAction(m_textTool->followAction());
    m_codeBar->addAction(m_textTool->insertWaitAction());
    m_codeBar->addAction(m_textTool->saveReferenceAction());
    m_codeBar->addAction(m_textTool->recordKeysAction());
    connect(m_textTool, &ScreenTextTool::codeReady, this,
        [this](const QStringList &lines) { Q_EMIT codeInsertRequested(m_name, lines); });
    connect(m_textTool, &ScreenTextTool::referenceRequested, this,
        [this](const QImage &screen, const QRect &region) {
            Q_EMIT referenceRequested(m_name, screen, region);
        });
    connect(m_textTool, &ScreenTextTool::message, this, &MachineTab::showMessage);
    m_toolBar->addSeparator();
    m_toolBar->addWidget(m_stateLabel);
    m_toolBar->addSeparator();
    m_grabAction = m_toolBar->addWidget(m_grabLabel);
    m_message->setContentsMargins(6, 0, 6, 0);
    m_message->hide();

    m_view->setConnection(m_vnc);
    m_view->setFocusPolicy(Qt::ClickFocus);
    connect(m_view, &FramebufferView::inputGrabChanged, this, &MachineTab::updateGrabLabel);
    connect(m_vnc, &VncConnection::sizeChanged, this, &MachineTab::updateScreenSize);
    connect(m_vnc, &VncConnection::stateChanged, this, &MachineTab::updateActions);
    // The scroll area only matters at 1:1 on a screen larger than the tab.
    m_screenArea->setWidget(m_view);
    m_screenArea->setWidgetResizable(true);
    m_screenArea->setFrameShape(QFrame::NoFrame);
    m_screenArea->setBackgroundRole(QPalette::Shadow);

    connect(m_console, &SerialConsole::typed, this,
        [this](const QByteArray &bytes) { Q_EMIT consoleInput(m_name, bytes); });

    m_splitter->addWidget(m_screenArea);
    m_splitter->addWidget(m_console);
    m_splitter->setStretchFactor(0, 3);
    m_splitter->setStretchFactor(1, 2);
    m_splitter->setChildrenCollapsible(false);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(0);
    layout->addWidget(m_toolBar);
    layout->addWidget(m_codeBar);
    layout->addWidget(m_message);
    layout->addWidget(m_splitter, 1);
    updateGrabLabel(false);
    setState(QStringLiteral("off"));
}

MachineTab::~MachineTab()
{
    // The view follows the connection through a QPointer, but it must not
    // paint a half-destroyed one: detach before the children go.
    m_view->setConnection(nullptr);
}

QTermWidget *MachineTab::terminal() const
{
    return m_console->terminal();
}

bool MachineTab::isRunningState(const QString &state)
{
    return state == QLatin1String("booting") || state == QLatin1String("up");
}

void MachineTab::setState(const QString &state)
{
    if (state == m_state)
        return;
    m_state = state;
    m_stateLabel->setText(tr("State: %1").arg(state));
    updateActions();
    Q_EMIT stateChanged(state);
}

void MachineTab::setKind(const QString &kind)
{
    if (kind == m_kind)
        return;
    m_kind = kind;
    const bool screen = hasScreen();
    if (!screen)
        m_vnc->close();
    m_screenArea->setVisible(screen);
    m_screenshot->setVisible(screen);
    m_oneToOne->setVisible(screen);
    m_codeBar->setVisible(screen);
    m_grabAction->setVisible(screen);
    const QString what = screen ? tr("VM") : tr("container");
    m_shutdown->setToolTip(tr("Shut the %1 down cleanly, as machine.shutdown()").arg(what));
    m_crash->setToolTip(screen ? tr("Kill the VM at once, as a power cut would")
                               : tr("Kill the container at once"));
    updateActions();
}

void MachineTab::setActionsAvailable(bool available)
{
    m_available = available;
    updateActions();
}

void MachineTab::updateActions()
{
    const bool running = isRunningState(m_state);
    m_start->setEnabled(m_available && !running);
    m_shutdown->setEnabled(m_available && running);
    m_crash->setEnabled(m_available && running);
    m_driverScreenshot->setEnabled(m_available && running);
    m_view->setInputEnabled(running);
    m_console->setInputEnabled(running);
    updateGrabLabel(m_view->hasInputGrab());
    // Saving the view needs only a frame, session or not.
    m_screenshot->setEnabled(
        m_vnc->state() == VncConnection::State::Connected && !m_vnc->frame().isNull());
}

void MachineTab::setVncSocket(const QString &path)
{
    if (path == m_vnc->socketPath() && m_vnc->state() != VncConnection::State::Disconnected)
        return;
    if (path.isEmpty() || !hasScreen())
        m_vnc->close();
    else
        m_vnc->open(path);
    updateActions();
}

void MachineTab::appendSerial(const QByteArray &bytes)
{
    m_console->appendSerial(bytes);
}

void MachineTab::appendNote(const QString &text)
{
    m_console->appendNote(text);
}

QString MachineTab::saveScreenshot(const QString &dir, QString *error)
{
    const QImage frame = m_view->grabFrame();
    if (frame.isNull()) {
        *error = tr("%1 shows no screen yet").arg(m_name);
        return {};
    }
    if (!QDir().mkpath(dir)) {
        *error = tr("cannot create %1").arg(dir);
        return {};
    }
    QString path;
    for (int n = 1;; ++n) {
        path = QDir(dir).filePath(QStringLiteral("%1-%2.png").arg(m_name).arg(n));
        if (!QFileInfo::exists(path))
            break;
    }
    if (!frame.save(path, "PNG")) {
        *error = tr("cannot write %1").arg(path);
        return {};
    }
    return path;
}

void MachineTab::showMessage(const QString &text)
{
    m_message->setText(text);
    m_message->setVisible(!text.isEmpty());
}

QString MachineTab::message() const
{
    return m_message->text();
}

void MachineTab::updateGrabLabel(bool grabbed)
{
    // The view draws a border while grabbed; the words say how to get out.
    // A machine that is not running takes no input and says so.
    m_grabLabel->setText(grabbed ? tr("Keyboard and mouse go to the VM: press Ctrl+Alt to release")
            : isRunningState(m_state) ? tr("Click the screen to type into the VM")
                                      : tr("The VM is %1: Start it to type into it").arg(m_state));
    QFont font = m_grabLabel->font();
    font.setBold(grabbed);
    m_grabLabel->setFont(font);
    m_grabLabel->setForegroundRole(grabbed ? QPalette::Highlight : QPalette::WindowText);
}

void MachineTab::updateScreenSize()
{
    // At 1:1 the view is as large as the screen and the area scrolls; fitted
    // it shrinks with the tab.
    const bool oneToOne = m_oneToOne->isChecked();
    m_view->setMinimumSize(
        oneToOne && !m_vnc->frame().isNull() ? m_view->sizeHint() : QSize(64, 40));
    updateActions();
}

} // namespace nixtide
