#pragma once

#include <QTreeWidget>

namespace nixtide {

struct StackFrameEntry
{
    int id = 0;
    QString name;
    QString path; // file the line belongs to (the .nix file when mapped)
    int line = 0;
};

// The stack of the stopped script, innermost first.
class CallStackView : public QTreeWidget
{
    Q_OBJECT

public:
    explicit CallStackView(QWidget *parent = nullptr);

    // Shows `frames` with the row `current` selected (without a signal:
    // the caller shows that frame itself).
    void setFrames(const QList<StackFrameEntry> &frames, int current = 0);
    int currentFrameIndex() const;
    QList<StackFrameEntry> frames() const { return m_frames; }

Q_SIGNALS:
    void frameSelected(const nixtide::StackFrameEntry &frame);

private:
    QList<StackFrameEntry> m_frames;
};

} // namespace nixtide
