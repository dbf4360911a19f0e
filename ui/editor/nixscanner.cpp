#include "ui/editor/nixscanner.h"

#include <algorithm>
#include <array>
#include <cstring>
#include <string_view>

namespace nixtide {

namespace {

constexpr std::array kNixKeywords
    = {"let", "in", "with", "rec", "inherit", "if", "then", "else", "assert", "import", "or"};
constexpr std::array kNixBuiltins = {"true", "false", "null", "builtins", "throw", "abort", "map",
    "toString", "baseNameOf", "derivation"};
constexpr std::array kPyKeywords = {"False", "None", "True", "and", "as", "assert", "async",
    "await", "break", "class", "continue", "def", "del", "elif", "else", "except", "finally", "for",
    "from", "global", "if", "import", "in", "is", "lambda", "nonlocal", "not", "or", "pass",
    "raise", "return", "try", "while", "with", "yield"};

template <std::size_t N>
bool contains(const std::array<const char *, N> &words, std::string_view word)
{
    return std::any_of(
        words.begin(), words.end(), [&](const char *w) { return word == std::string_view(w); });
}

bool isIdentStart(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}

bool isDigit(char c)
{
    return c >= '0' && c <= '9';
}

bool isPyIdent(char c)
{
    return isIdentStart(c) || isDigit(c);
}

bool isNixIdent(char c)
{
    return isPyIdent(c) || c == '\'' || c == '-';
}

bool isPathChar(char c)
{
    return isPyIdent(c) || c == '.' || c == '/' || c == '+' || c == '-';
}

bool isSpace(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

// Antiquotations nest code in strings in code; beyond this depth the rest is
// styled as a string rather than recursing further on hostile input.
constexpr int kMaxNesting = 64;

class Scanner
{
public:
    explicit Scanner(const QByteArray &text)
        : m_s(text.constData())
        , m_n(static_cast<int>(text.size()))
        , m_styles(text.size(), static_cast<char>(NixStyle::Default))
    { }

    QByteArray run()
    {
        nixCode(0, false, 0);
        return m_styles;
    }

private:
    char at(int i) const { return i < m_n ? m_s[i] : '\0'; }

    void mark(int from, int to, NixStyle style)
    {
        to = std::min(to, m_n);
        if (from < to)
            std::memset(m_styles.data() + from, static_cast<int>(style), to - from);
    }

    // Nix code from i. When inAntiquote, stops after the `}` that closes the
    // antiquotation and returns the position after it; otherwise at the end.
    int nixCode(int i, bool inAntiquote, int nesting)
    {
        int depth = 0;
        bool lastWasTestScript = false; // previous token was the name `testScript`
        bool pythonPending = false; // the next indented string is the test script
        int pendingDepth = 0;
        while (i < m_n) {
            const char c = m_s[i];
            if (isSpace(c)) {
                ++i;
                continue;
            }
            const int start = i;
            if (c == '#') {
                while (i < m_n && m_s[i] != '\n')
                    ++i;
                mark(start, i, NixStyle::Comment);
                continue;
            }
            if (c == '/' && at(i + 1) == '*') {
                const char *end = std::strstr(m_s + i + 2, "*/");
                i = end && end < m_s + m_n ? static_cast<int>(end - m_s) + 2 : m_n;
                mark(start, i, NixStyle::Comment);
                continue;
            }
            lastWasTestScript = lastWasTestScript && c == '=' && at(i + 1) != '=';
            if (lastWasTestScript) {
                mark(i, i + 1, NixStyle::Operator);
                ++i;
                pythonPending = true;
                pendingDepth = depth;
                lastWasTestScript = false;
                continue;
            }
            if (c == '"') {
                i = doubleString(i, nesting);
                continue;
            }
            if (c == '\'' && at(i + 1) == '\'') {
                i = indentedString(i, pythonPending, nesting);
                pythonPending = false;
                continue;
            }
            if (isIdentStart(c)) {
                while (i < m_n && isNixIdent(m_s[i]))
                    ++i;
                const std::string_view word(m_s + start, i - start);
                if (at(i) == ':' && at(i + 1) == '/' && at(i + 2) == '/') {
                    while (i < m_n && !isSpace(m_s[i]) && m_s[i] != ';')
                        ++i;
                    mark(start, i, NixStyle::Path); // URL literal
                } else if (contains(kNixKeywords, word)) {
                    mark(start, i, NixStyle::Keyword);
                } else if (contains(kNixBuiltins, word)) {
                    mark(start, i, NixStyle::Builtin);
                }
                lastWasTestScript = word == "testScript";
                continue;
            }
            if (isDigit(c)) {
                while (i < m_n && (isDigit(m_s[i]) || m_s[i] == '.'))
                    ++i;
                mark(start, i, NixStyle::Number);
                continue;
            }
            if (const int end = pathEnd(i); end > i) {
                mark(start, end, NixStyle::Path);
                i = end;
                continue;
            }
            if (c == '{' || c == '(' || c == '[') {
                ++depth;
            } else if (c == '}' || c == ')' || c == ']') {
                if (c == '}' && depth == 0 && inAntiquote) {
                    mark(i, i + 1, NixStyle::Antiquote);
                    return i + 1;
                }
                --depth;
            } else if (c == ';' && depth <= pendingDepth) {
                pythonPending = false;
            }
            mark(i, i + 1, NixStyle::Operator);
            ++i;
        }
        return i;
    }

    // End of a path literal starting at i (./x, ../x, /x, ~/x, <x>), or i.
    int pathEnd(int i) const
    {
        const char c = at(i);
        if (c == '<') {
            int j = i + 1;
            while (j < m_n && isPathChar(m_s[j]))
                ++j;
            return j > i + 1 && at(j) == '>' ? j + 1 : i;
        }
        int j = i;
        if (c == '.' && at(i + 1) == '/')
            j = i + 2;
        else if (c == '.' && at(i + 1) == '.' && at(i + 2) == '/')
            j = i + 3;
        else if (c == '~' && at(i + 1) == '/')
            j = i + 2;
        else if (c == '/' && isPyIdent(at(i + 1)))
            j = i + 1;
        else
            return i;
        while (j < m_n && isPathChar(m_s[j]))
            ++j;
        return j;
    }

    // `${` at i: styles the delimiters and the Nix code inside; returns the
    // position after the closing `}`.
    int antiquote(int i, int nesting)
    {
        mark(i, i + 2, NixStyle::Antiquote);
        if (nesting >= kMaxNesting) {
            mark(i + 2, m_n, NixStyle::String);
            return m_n;
        }
        return nixCode(i + 2, true, nesting + 1);
    }

    int doubleString(int i, int nesting)
    {
        const int open = i;
        ++i;
        int runStart = open;
        while (i < m_n) {
            const char c = m_s[i];
            if (c == '\\') {
                mark(runStart, i, NixStyle::String);
                mark(i, i + 2, NixStyle::Escape);
                i += 2;
                runStart = i;
            } else if (c == '$' && at(i + 1) == '{') {
                mark(runStart, i, NixStyle::String);
                i = antiquote(i, nesting);
                runStart = i;
            } else if (c == '"') {
                mark(runStart, i + 1, NixStyle::String);
                return i + 1;
            } else {
                ++i;
            }
        }
        mark(runStart, i, NixStyle::String);
        return i;
    }

    // Handles what Nix itself sees inside an indented string at i: escapes
    // (`'''`, `''$`, `''\x`), the closing `''` and antiquotations. Returns the
    // new position, or -1 when i holds ordinary string content. *closed is set
    // when the string ended.
    int indentedStringSyntax(int i, int nesting, bool *closed)
    {
        if (m_s[i] == '\'' && at(i + 1) == '\'') {
            const char next = at(i + 2);
            if (next == '\'' || next == '$') {
                mark(i, i + 3, NixStyle::Escape);
                return i + 3;
            }
            if (next == '\\') {
                mark(i, i + 4, NixStyle::Escape);
                return std::min(i + 4, m_n);
            }
            mark(i, i + 2, NixStyle::String);
            *closed = true;
            return i + 2;
        }
        if (m_s[i] == '$' && at(i + 1) == '{')
            return antiquote(i, nesting);
        return -1;
    }

    int indentedString(int i, bool python, int nesting)
    {
        mark(i, i + 2, NixStyle::String);
        i += 2;
        bool closed = false;
        if (!python) {
            while (i < m_n && !closed) {
                const int next = indentedStringSyntax(i, nesting, &closed);
                if (next >= 0) {
                    i = next;
                } else {
                    mark(i, i + 1, NixStyle::String);
                    ++i;
                }
            }
            return i;
        }
        return pythonBody(i, nesting);
    }

    // The test script: a small Python tokenizer whose state survives the
    // antiquotations that interrupt it.
    int pythonBody(int i, int nesting)
    {
        enum class State { Code, String, Comment } state = State::Code;
        char quote = 0;
        bool triple = false;
        bool closed = false;
        while (i < m_n && !closed) {
            const int next = indentedStringSyntax(i, nesting, &closed);
            if (next >= 0) {
                i = next;
                continue;
            }
            const char c = m_s[i];
            const int start = i;
            switch (state) {
            case State::Comment:
                mark(i, i + 1, NixStyle::PyComment);
                if (c == '\n')
                    state = State::Code;
                ++i;
                break;
            case State::String:
                if (c == '\\' && at(i + 1) != '\'') {
                    mark(i, i + 2, NixStyle::PyString);
                    i += 2;
                } else if (c == quote && (!triple || (at(i + 1) == quote && at(i + 2) == quote))) {
                    i += triple ? 3 : 1;
                    mark(start, i, NixStyle::PyString);
                    state = State::Code;
                } else {
                    if (c == '\n' && !triple)
                        state = State::Code;
                    mark(i, i + 1, NixStyle::PyString);
                    ++i;
                }
                break;
            case State::Code:
                if (c == '#') {
                    state = State::Comment;
                    mark(i, i + 1, NixStyle::PyComment);
                    ++i;
                } else if (c == '"' || c == '\'') {
                    quote = c;
                    triple = c == '"' && at(i + 1) == '"' && at(i + 2) == '"';
                    i += triple ? 3 : 1;
                    mark(start, i, NixStyle::PyString);
                    state = State::String;
                } else if (isIdentStart(c)) {
                    while (i < m_n && isPyIdent(m_s[i]))
                        ++i;
                    const std::string_view word(m_s + start, i - start);
                    // String prefixes (f"…", r'…') belong to the string.
                    if ((at(i) == '"' || at(i) == '\'') && word.size() <= 2
                        && word.find_first_not_of("rRbBfFuU") == std::string_view::npos) {
                        mark(start, i, NixStyle::PyString);
                        break;
                    }
                    int j = i;
                    while (j < m_n && (m_s[j] == ' ' || m_s[j] == '\t'))
                        ++j;
                    const bool decorator = start > 0 && m_s[start - 1] == '@';
                    if (contains(kPyKeywords, word))
                        mark(start, i, NixStyle::PyKeyword);
                    else if (decorator)
                        mark(start - 1, i, NixStyle::PyDecorator);
                    else if (at(j) == '(')
                        mark(start, i, NixStyle::PyCall);
                    else
                        mark(start, i, NixStyle::PyDefault);
                } else if (isDigit(c)) {
                    while (i < m_n && (isPyIdent(m_s[i]) || m_s[i] == '.'))
                        ++i;
                    mark(start, i, NixStyle::PyNumber);
                } else {
                    mark(i, i + 1, NixStyle::PyDefault);
                    ++i;
                }
                break;
            }
        }
        return i;
    }

    const char *m_s;
    int m_n;
    QByteArray m_styles;
};

} // namespace

QByteArray scanNix(const QByteArray &text)
{
    return Scanner(text).run();
}

} // namespace nixtide
