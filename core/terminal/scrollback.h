#pragma once

#include "core/terminal/terminalcell.h"

#include <cstddef>
#include <vector>

namespace nixtide {

// Lines scrolled off the top of a terminal, oldest first. A fixed-capacity
// ring: pushing onto a full buffer drops the oldest line without moving the
// others, so a flood of serial output costs O(1) per line.
class Scrollback
{
public:
    using Line = std::vector<TerminalCell>;

    explicit Scrollback(std::size_t capacity);

    std::size_t size() const { return m_size; }
    std::size_t capacity() const { return m_lines.size(); }
    void setCapacity(std::size_t capacity);

    void push(Line line);
    // Removes and returns the newest line; the buffer must not be empty.
    Line popNewest();
    // 0 is the oldest line held, size() - 1 the newest.
    const Line &at(std::size_t index) const;
    void clear();

private:
    std::vector<Line> m_lines;
    std::size_t m_first = 0;
    std::size_t m_size = 0;
};

} // namespace nixtide
