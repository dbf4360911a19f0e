// The Nix string lexer (both literal kinds, escapes, antiquotations,
// indentation stripping), locating the testScript, and the line map between
// a .nix file and a built script: input is the .nix source, NUL, the built
// script.
#include "core/nix/nixstring.h"
#include "core/nix/scriptlinemap.h"
#include "fuzzinput.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const QList<QByteArray> input = nixtide::fuzz::parts(data, size, 2);
    const QString source = QString::fromUtf8(input.at(0));
    const QString built = QString::fromUtf8(input.at(1));

    for (int offset = 0; offset < source.size(); ++offset) {
        const QChar c = source.at(offset);
        if (c != u'"' && c != u'\'')
            continue;
        const nixtide::NixStringLiteral literal = nixtide::NixSource::parseString(source, offset);
        if (literal.ok()) {
            const nixtide::NixStringTemplate tmpl = nixtide::NixSource::strip(literal);
            (void)tmpl.render(tmpl.antiquotations());
            (void)nixtide::ScriptLineMap::build(tmpl, built);
        }
    }
    (void)nixtide::NixSource::skipToSemicolon(source, 0);
    (void)nixtide::NixSource::skipToClosingBrace(source, 0);
    (void)nixtide::NixSource::offsetOf(source, 3, 5);
    (void)nixtide::NixSource::lineOf(source, int(source.size() / 2));

    const nixtide::ScriptLocation location = nixtide::locateScriptInSource(source);
    (void)nixtide::scriptStringOffset(source, location);
    const nixtide::ScriptLineMap map = nixtide::ScriptLineMap::build(source, location, built);
    if (map.isValid()) {
        for (int line = 0; line <= map.nixLines().size() + 1; ++line)
            (void)map.scriptLineForNixLine(map.nixLineForScriptLine(line));
    }
    return 0;
}
