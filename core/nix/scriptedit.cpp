#include "core/nix/scriptedit.h"

namespace nixtide {

namespace {

// 1-based line of the first difference between two texts (their common
// prefix's line count), so a reason can point at it.
int firstDifferentLine(QStringView a, QStringView b)
{
    qsizetype i = 0;
    while (i < a.size() && i < b.size() && a.at(i) == b.at(i))
        ++i;
    return int(a.left(i).count(u'\n')) + 1;
}

// The .nix line of the first antiquotation that differs: where it is in the
// edited text, or where it was when the edit removed it.
int firstDifferentAntiquotation(const NixStringTemplate &before, const NixStringTemplate &after)
{
    QVector<const NixStringPart *> a, b;
    for (const NixStringPart &p : before.segments) {
        if (p.kind == NixStringPart::Kind::Antiquotation)
            a.append(&p);
    }
    for (const NixStringPart &p : after.segments) {
        if (p.kind == NixStringPart::Kind::Antiquotation)
            b.append(&p);
    }
    for (qsizetype i = 0; i < qMax(a.size(), b.size()); ++i) {
        if (i >= b.size())
            return a.at(i)->line;
        if (i >= a.size() || a.at(i)->text != b.at(i)->text)
            return b.at(i)->line;
    }
    return 0;
}

} // namespace

ScriptEdit ScriptEdit::check(const QString &builtNix, const QString &builtScript,
    const QString &editedNix, const ScriptLocation &location)
{
    ScriptEdit edit;
    const int offset = scriptStringOffset(builtNix, location);
    if (offset < 0) {
        edit.reason = QStringLiteral("the testScript is not a string literal");
        return edit;
    }
    const NixStringLiteral before = NixSource::parseString(builtNix, offset);
    if (!before.ok()) {
        edit.reason = QStringLiteral("the built testScript could not be read: ") + before.error;
        return edit;
    }
    // The literal starts at the same offset when the text before it is unchanged.
    if (QStringView(editedNix).left(offset) != QStringView(builtNix).left(offset)) {
        edit.line = firstDifferentLine(editedNix, builtNix);
        edit.reason = QStringLiteral("line %1 changed, before the testScript").arg(edit.line);
        return edit;
    }
    const NixStringLiteral after = NixSource::parseString(editedNix, offset);
    if (!after.ok()) {
        edit.reason
            = QStringLiteral("the edited testScript is not a complete string: ") + after.error;
        return edit;
    }
    if (QStringView(editedNix).mid(after.end) != QStringView(builtNix).mid(before.end)) {
        const QStringView tailEdited = QStringView(editedNix).mid(after.end);
        const QStringView tailBuilt = QStringView(builtNix).mid(before.end);
        edit.line = NixSource::lineOf(editedNix, int(after.end))
            + firstDifferentLine(tailEdited, tailBuilt) - 1;
        edit.reason = QStringLiteral("line %1 changed, after the testScript").arg(edit.line);
        return edit;
    }
    const NixStringTemplate oldTemplate = NixSource::strip(before);
    const NixStringTemplate newTemplate = NixSource::strip(after);
    if (oldTemplate.antiquotations() != newTemplate.antiquotations()) {
        edit.line = firstDifferentAntiquotation(oldTemplate, newTemplate);
        edit.reason = QStringLiteral("the antiquotation (${…}) on line %1 was added, removed "
                                     "or changed")
                          .arg(edit.line);
        return edit;
    }
    const ScriptLineMap oldMap = ScriptLineMap::build(oldTemplate, builtScript);
    if (!oldMap.isValid()) {
        edit.reason = oldMap.error();
        return edit;
    }
    edit.script = newTemplate.render(oldMap.antiquotationValues());
    edit.lineMap = ScriptLineMap::build(newTemplate, edit.script);
    edit.rebuildNeeded = false;
    return edit;
}

} // namespace nixtide
