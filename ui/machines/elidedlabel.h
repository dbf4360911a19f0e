#pragma once

#include <QLabel>

namespace nixtide {

// A one-line label that never asks for more width than it is given: text
// that does not fit is elided in the middle (paths keep their start and
// their file name), and the whole text is the tool tip. A plain QLabel asks
// for its full text width, and a long screenshot path then pushed the
// machine pane over the editor.
class ElidedLabel : public QLabel
{
    Q_OBJECT

public:
    explicit ElidedLabel(QWidget *parent = nullptr);

    void setText(const QString &text);
    QSize minimumSizeHint() const override;
    QSize sizeHint() const override;

protected:
    void paintEvent(QPaintEvent *event) override;
};

} // namespace nixtide
