#pragma once

#include <QByteArray>
#include <QList>

#include <cstddef>
#include <cstdint>

namespace nixtide::fuzz {

inline QByteArray bytes(const uint8_t *data, size_t size)
{
    return QByteArray(reinterpret_cast<const char *>(data), static_cast<qsizetype>(size));
}

// Targets that read several files take them from one input, separated by
// NUL bytes; missing parts are empty.
inline QList<QByteArray> parts(const uint8_t *data, size_t size, int count)
{
    QList<QByteArray> out = bytes(data, size).split('\0');
    while (out.size() > count) {
        out[count - 1] += '\0' + out.takeAt(count);
    }
    while (out.size() < count)
        out.append(QByteArray());
    return out;
}

} // namespace nixtide::fuzz
