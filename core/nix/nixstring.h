#pragma once

#include <QString>
#include <QVector>

namespace nixtide {

// One piece of a Nix string literal as Nix's own lexer and parser see it:
// literal text (subject to indentation stripping), an escape (`''$`, `'''`,
// `''\n`; never stripped, and it ends a line's leading whitespace) or an
// antiquotation `${…}` whose value is only known after evaluation.
struct NixStringPart
{
    enum class Kind { Literal, Escape, Antiquotation };
    Kind kind = Kind::Literal;
    QString text; // produced text; for an antiquotation, its expression's source
    QVector<int> lines; // 1-based .nix line of each character of `text`
    int line = 0; // line where the part starts (`${` for an antiquotation)
};

// A Nix string literal found in source text: `''…''` or `"…"`.
struct NixStringLiteral
{
    bool indented = false;
    int begin = -1; // offset of the opening quote in the source
    int end = -1; // offset just past the closing quote
    int line = 0; // 1-based line of the opening quote
    int column = 0; // 1-based column (in characters) of the opening quote
    QVector<NixStringPart> parts;
    QString error; // why parsing stopped, empty on success
    bool ok() const { return error.isEmpty() && end > begin; }
};

// The string after Nix's indentation stripping: literal text with the .nix
// line of every character, and antiquotations between the literals.
struct NixStringTemplate
{
    QVector<NixStringPart> segments; // Literal (escapes merged in) and Antiquotation only
    QStringList antiquotations() const;
    // Concatenates the literals with the given antiquotation values.
    QString render(const QStringList &values) const;
};

class NixSource
{
public:
    // Offset in `source` of a Nix position (1-based line; column counted in
    // bytes of UTF-8, as Nix reports it). -1 when out of range.
    static int offsetOf(const QString &source, int line, int column);
    static int lineOf(const QString &source, int offset);
    // Skips whitespace and `#`/`/* */` comments from `offset`.
    static int skipSpace(const QString &source, int offset);
    // Parses a string literal starting at `offset` (which must be `''` or `"`).
    static NixStringLiteral parseString(const QString &source, int offset);
    // Offset just past the expression that starts at `offset`, stopping at a
    // `}` closing an enclosing brace (used for `${…}`): strings, comments and
    // nested braces are skipped. -1 when the source ends first.
    static int skipToClosingBrace(const QString &source, int offset);
    // Offset just past the string literal that starts at `offset` (`"` or
    // `''`), antiquotations and escapes included; -1 when it never ends.
    static int skipString(const QString &source, int offset);
    // For scans over code: past the string or comment that starts at
    // `offset` (-1 when a string never ends), or `offset` itself when
    // neither starts there.
    static int skipStringOrComment(const QString &source, int offset);
    // Offset just past the `;` that ends the binding starting at `offset`
    // (`name = value;`, `inherit …;`): strings, comments and nested
    // brackets are skipped. -1 when the source ends first.
    static int skipToSemicolon(const QString &source, int offset);
    // Applies Nix's indentation stripping (the parser's stripIndentation).
    static NixStringTemplate strip(const NixStringLiteral &literal);
};

} // namespace nixtide
