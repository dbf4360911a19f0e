#include "ui/machines/scrollbackkeeper.h"

#include <array>

namespace nixtide {

namespace {

struct Rewrite
{
    QByteArrayView sequence;
    bool scrollOut; // else dropped
    // Written before the scroll: what else of the sequence is kept.
    QByteArrayView before = {};
};

constexpr std::array kRewrites {
    // A reset also sets attributes, cursor keys, keypad, character set,
    // cursor visibility and the scroll region back, and homes the cursor.
    Rewrite {"\x1b"
             "c",
        true, "\x1b[0m\x1b[?1l\x1b>\x1b(B\x1b[?25h\x1b[r"},
    Rewrite {"\x1b[2J", true},
    Rewrite {"\x1b[3J", false},
    Rewrite {"\x1b[?7l", false},
};

QByteArray scrollOut(int rows)
{
    // Save the cursor, go to the last row, push every row up into the
    // scrollback with line feeds, restore the cursor.
    return "\x1b"
           "7\x1b["
        + QByteArray::number(rows) + ";1H" + QByteArray(rows, '\n')
        + "\x1b"
          "8";
}

// Whether `tail` (starting with ESC) could still become a sequence above.
bool couldGrowIntoRewrite(QByteArrayView tail)
{
    for (const Rewrite &r : kRewrites) {
        if (tail.size() < r.sequence.size() && r.sequence.startsWith(tail))
            return true;
    }
    return false;
}

} // namespace

QByteArray ScrollbackKeeper::filter(const QByteArray &chunk, int rows)
{
    QByteArray in = m_held + chunk;
    m_held.clear();
    // The common case, a chunk without ESC, is passed on as it is.
    if (!in.contains('\x1b'))
        return in;
    QByteArray out;
    out.reserve(in.size());
    qsizetype i = 0;
    while (i < in.size()) {
        const qsizetype esc = in.indexOf('\x1b', i);
        if (esc < 0) {
            out.append(QByteArrayView(in).sliced(i));
            break;
        }
        out.append(QByteArrayView(in).sliced(i, esc - i));
        const QByteArrayView rest = QByteArrayView(in).sliced(esc);
        bool rewritten = false;
        for (const Rewrite &r : kRewrites) {
            if (rest.startsWith(r.sequence)) {
                out.append(r.before);
                if (r.scrollOut)
                    out.append(scrollOut(rows));
                i = esc + r.sequence.size();
                rewritten = true;
                break;
            }
        }
        if (rewritten)
            continue;
        if (couldGrowIntoRewrite(rest)) {
            m_held = rest.toByteArray();
            break;
        }
        out.append('\x1b');
        i = esc + 1;
    }
    return out;
}

} // namespace nixtide
