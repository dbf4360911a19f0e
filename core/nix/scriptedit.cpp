#include "core/nix/scriptedit.h"

namespace nixtide {

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
        edit.reason = QStringLiteral("the file changed before the testScript");
        return edit;
    }
    const NixStringLiteral after = NixSource::parseString(editedNix, offset);
    if (!after.ok()) {
        edit.reason
            = QStringLiteral("the edited testScript is not a complete string: ") + after.error;
        return edit;
    }
    if (QStringView(editedNix).mid(after.end) != QStringView(builtNix).mid(before.end)) {
        edit.reason = QStringLiteral("the file changed after the testScript");
        return edit;
    }
    const NixStringTemplate oldTemplate = NixSource::strip(before);
    const NixStringTemplate newTemplate = NixSource::strip(after);
    if (oldTemplate.antiquotations() != newTemplate.antiquotations()) {
        edit.reason = QStringLiteral("an antiquotation (${…}) was added, removed or changed");
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
