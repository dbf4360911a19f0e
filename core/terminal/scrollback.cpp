#include "core/terminal/scrollback.h"

#include <utility>

namespace nixtide {

Scrollback::Scrollback(std::size_t capacity)
    : m_lines(capacity == 0 ? 1 : capacity)
{ }

void Scrollback::setCapacity(std::size_t capacity)
{
    if (capacity == 0)
        capacity = 1;
    std::vector<Line> lines(capacity);
    const std::size_t keep = m_size < capacity ? m_size : capacity;
    for (std::size_t i = 0; i < keep; ++i)
        lines[i] = std::move(m_lines[(m_first + m_size - keep + i) % m_lines.size()]);
    m_lines = std::move(lines);
    m_first = 0;
    m_size = keep;
}

void Scrollback::push(Line line)
{
    if (m_size == m_lines.size()) {
        m_lines[m_first] = std::move(line);
        m_first = (m_first + 1) % m_lines.size();
        return;
    }
    m_lines[(m_first + m_size) % m_lines.size()] = std::move(line);
    ++m_size;
}

Scrollback::Line Scrollback::popNewest()
{
    --m_size;
    return std::move(m_lines[(m_first + m_size) % m_lines.size()]);
}

const Scrollback::Line &Scrollback::at(std::size_t index) const
{
    return m_lines[(m_first + index) % m_lines.size()];
}

void Scrollback::clear()
{
    for (auto &line : m_lines)
        Line().swap(line);
    m_first = 0;
    m_size = 0;
}

} // namespace nixtide
