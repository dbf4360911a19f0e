#include "ui/machines/screentexttool.h"

#include "core/ocr/screenocr.h"
#include "ui/machines/screencode.h"
#include "ui/vnc/framebufferview.h"

#include <QAction>

namespace nixtide {

ScreenTextTool::ScreenTextTool(const QString &machine, FramebufferView *view, QObject *parent)
    : QObject(parent)
    , m_machine(machine)
    , m_view(view)
    , m_ocr(new ScreenOcr(this))
    , m_read(new QAction(tr("Read Text"), this))
    , m_follow(new QAction(tr("Follow"), this))
    , m_insertWait(new QAction(tr("Insert wait_for_text"), this))
    , m_saveReference(new QAction(tr("Save as Reference"), this))
    , m_recordKeys(new QAction(tr("Record Keys"), this))
{
    m_read->setCheckable(true);
    m_read->setToolTip(tr("Mark a region of the screen (or click for all of it) to read its "
                          "text with OCR; the words are boxed on the screen"));
    m_follow->setCheckable(true);
    m_follow->setToolTip(tr("Read the marked region again whenever the screen changes in it"));
    m_insertWait->setToolTip(
        tr("Insert %1.wait_for_text(…) with the region's text at the editor's cursor")
            .arg(ScreenCode::machineVariable(machine)));
    m_saveReference->setToolTip(tr("Keep this screen as a reference for screenshot review, "
                                   "everything outside the region masked"));
    m_recordKeys->setCheckable(true);
    m_recordKeys->setToolTip(tr("While the screen has the keyboard, insert send_chars and "
                                "send_key calls for what is typed at the editor's cursor"));

    connect(m_read, &QAction::toggled, this, [this](bool on) {
        if (on)
            m_ocr->prepare(); // while the region is being marked
        if (m_view)
            m_view->setRegionSelecting(on);
        if (!on && m_view)
            m_view->setWordBoxes({});
        if (!on)
            m_hasRegion = false;
    });
    connect(view, &FramebufferView::regionSelected, this, &ScreenTextTool::readRegion);
    connect(view, &FramebufferView::frameChanged, this, &ScreenTextTool::onFrameChanged);
    connect(m_ocr, &ScreenOcr::finished, this, &ScreenTextTool::onReading);
    connect(m_insertWait, &QAction::triggered, this, [this] {
        const QString line = waitForTextLine();
        if (!line.isEmpty())
            Q_EMIT codeReady({line});
    });
    connect(m_saveReference, &QAction::triggered, this, [this] {
        if (!m_readScreen.isNull())
            Q_EMIT referenceRequested(m_readScreen, m_reading.region);
    });
    connect(m_recordKeys, &QAction::toggled, this, [this](bool on) {
        if (on) {
            m_keys = std::make_unique<KeyRecorder>(m_machine);
            Q_EMIT message(tr("Recording keys: click the screen and type"));
            return;
        }
        if (m_keys) {
            const QStringList rest = m_keys->flush();
            m_keys.reset();
            if (!rest.isEmpty())
                Q_EMIT codeReady(rest);
        }
    });
    connect(view, &FramebufferView::keyTyped, this,
        [this](int key, Qt::KeyboardModifiers modifiers, const QString &text) {
            if (!m_keys)
                return;
            const QStringList lines = m_keys->key(key, modifiers, text);
            if (!lines.isEmpty())
                Q_EMIT codeReady(lines);
        });
    // Text typed so far goes in when the keyboard comes back to the IDE.
    connect(view, &FramebufferView::inputGrabChanged, this, [this](bool grabbed) {
        if (!grabbed && m_keys) {
            const QStringList rest = m_keys->flush();
            if (!rest.isEmpty())
                Q_EMIT codeReady(rest);
        }
    });
    updateActions();
}

ScreenTextTool::~ScreenTextTool() = default;

QString ScreenTextTool::waitForTextLine() const
{
    const QString text = ScreenCode::textToWaitFor(m_reading.lines());
    return text.isEmpty() ? QString() : ScreenCode::waitForText(m_machine, text);
}

void ScreenTextTool::readRegion(const QRect &region)
{
    if (!m_view)
        return;
    const QImage screen = m_view->grabFrame();
    if (screen.isNull()) {
        Q_EMIT message(tr("%1 shows no screen to read").arg(m_machine));
        return;
    }
    const bool again = m_hasRegion && region == m_region;
    m_hasRegion = true;
    m_region = region;
    m_readScreen = screen;
    // Following a changing screen would repeat this many times a second.
    if (!again)
        Q_EMIT message(tr("Reading the text of %1…").arg(m_machine));
    m_ocr->recognise(screen, region);
}

void ScreenTextTool::onFrameChanged(const QRect &rect)
{
    if (!m_follow->isChecked() || !m_read->isChecked() || !m_hasRegion)
        return;
    if (m_region.isEmpty() || m_region.intersects(rect))
        readRegion(m_region);
}

void ScreenTextTool::onReading(const OcrReading &reading)
{
    m_reading = reading;
    if (m_view)
        m_view->setWordBoxes(reading.words);
    updateActions();
    if (!reading.error.isEmpty())
        Q_EMIT message(tr("OCR failed: %1").arg(reading.error));
    else if (reading.words.isEmpty())
        Q_EMIT message(tr("No text found (%1 s)").arg(reading.seconds, 0, 'f', 2));
    else
        Q_EMIT message(tr("Read in %1 s: %2")
                .arg(reading.seconds, 0, 'f', 2)
                .arg(reading.lines().join(QStringLiteral(" ⏎ "))));
    Q_EMIT readingFinished(reading);
}

void ScreenTextTool::updateActions()
{
    m_insertWait->setEnabled(!waitForTextLine().isEmpty());
    m_saveReference->setEnabled(!m_readScreen.isNull() && !m_reading.region.isEmpty());
}

} // namespace nixtide
