#include "ui/machines/elidedlabel.h"

#include <QPainter>
#include <QStyle>

namespace nixtide {

ElidedLabel::ElidedLabel(QWidget *parent)
    : QLabel(parent)
{
    setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Fixed);
}

void ElidedLabel::setText(const QString &text)
{
    QLabel::setText(text);
    setToolTip(text);
}

QSize ElidedLabel::minimumSizeHint() const
{
    const QMargins m = contentsMargins();
    return {m.left() + m.right() + fontMetrics().horizontalAdvance(QStringLiteral("…")),
        m.top() + m.bottom() + fontMetrics().height()};
}

QSize ElidedLabel::sizeHint() const
{
    const QMargins m = contentsMargins();
    return {m.left() + m.right() + fontMetrics().horizontalAdvance(text()),
        m.top() + m.bottom() + fontMetrics().height()};
}

void ElidedLabel::paintEvent(QPaintEvent *)
{
    QPainter painter(this);
    const QRect area = contentsRect();
    const QString shown = fontMetrics().elidedText(text(), Qt::ElideMiddle, area.width());
    style()->drawItemText(&painter, area, Qt::AlignLeft | Qt::AlignVCenter, palette(), isEnabled(),
        shown, foregroundRole());
}

} // namespace nixtide
