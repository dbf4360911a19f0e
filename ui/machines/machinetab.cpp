#include "ui/machines/machinetab.h"

#include <QAction>
#include <QLabel>
#include <QSplitter>
#include <QToolBar>
#include <QVBoxLayout>

namespace nixtide {

namespace {

QLabel *placeholder(const QString &text, QWidget *parent)
{
    auto *label = new QLabel(text, parent);
    label->setAlignment(Qt::AlignCenter);
    label->setWordWrap(true);
    label->setAutoFillBackground(true);
    QPalette palette = label->palette();
    palette.setColor(QPalette::Window, QColor(0x20, 0x22, 0x26));
    palette.setColor(QPalette::WindowText, QColor(0xa0, 0xa4, 0xaa));
    label->setPalette(palette);
    return label;
}

} // namespace

MachineTab::MachineTab(const QString &name, QWidget *parent)
    : QWidget(parent)
    , m_name(name)
    , m_toolBar(new QToolBar(this))
    , m_stateLabel(new QLabel(this))
    , m_splitter(new QSplitter(Qt::Vertical, this))
    , m_screen(placeholder(tr("Screen of %1 appears here once it boots").arg(name), m_splitter))
    , m_console(placeholder(tr("Serial console of %1").arg(name), m_splitter))
{
    m_toolBar->setIconSize(QSize(16, 16));
    m_toolBar->addAction(tr("Start"), this, [this] { Q_EMIT startRequested(m_name); });
    m_toolBar->addAction(tr("Shut Down"), this, [this] { Q_EMIT shutdownRequested(m_name); });
    m_toolBar->addAction(tr("Crash"), this, [this] { Q_EMIT crashRequested(m_name); })
        ->setToolTip(tr("Kill the VM at once, as a power cut would"));
    m_toolBar->addAction(tr("Screenshot"), this, [this] { Q_EMIT screenshotRequested(m_name); });
    m_toolBar->addSeparator();
    m_toolBar->addWidget(m_stateLabel);

    m_splitter->addWidget(m_screen);
    m_splitter->addWidget(m_console);
    m_splitter->setStretchFactor(0, 3);
    m_splitter->setStretchFactor(1, 1);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(0);
    layout->addWidget(m_toolBar);
    layout->addWidget(m_splitter, 1);
    setState(tr("off"));
}

void MachineTab::setState(const QString &state)
{
    if (state == m_state)
        return;
    m_state = state;
    m_stateLabel->setText(tr("State: %1").arg(state));
    Q_EMIT stateChanged(state);
}

void MachineTab::replace(QWidget **slot, QWidget *widget)
{
    const int index = m_splitter->indexOf(*slot);
    QWidget *old = m_splitter->replaceWidget(index, widget);
    delete old;
    *slot = widget;
}

void MachineTab::setScreenWidget(QWidget *screen)
{
    replace(&m_screen, screen);
}

void MachineTab::setConsoleWidget(QWidget *console)
{
    replace(&m_console, console);
}

} // namespace nixtide
