#pragma once

#include <QByteArray>

namespace nixtide {

// Style numbers shared by the scanner and NixLexer. Nix styles come first;
// the Py* styles are used inside the testScript string, which the driver runs
// as Python.
enum class NixStyle : unsigned char {
    Default = 0,
    Comment,
    String,
    Escape,
    Antiquote, // the `${` and `}` delimiters; the code inside is Nix
    Keyword,
    Path,
    Number,
    Operator,
    Builtin,
    PyDefault,
    PyComment,
    PyString,
    PyKeyword,
    PyNumber,
    PyCall,
    PyDecorator,
    Count
};

// Styles a Nix document: returns one style byte per input byte. Styling
// depends only on the text before a position, so callers may scan a prefix.
//
// The indented string bound to `testScript` (directly, or as the body of a
// `{ nodes, ... }:` function) is styled as Python, with antiquotations in it
// styled as Nix.
QByteArray scanNix(const QByteArray &text);

} // namespace nixtide
