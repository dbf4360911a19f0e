#pragma once

#include <QObject>
#include <QStringList>

namespace nixtide {

class ScriptEditor;

// Completes the driver's API in the test script: Machine methods after
// `<machine>.` and the driver's globals and machine names once an identifier
// has two characters. Only inside the Python region (the whole .py file, or
// the testScript string of a .nix file, outside Python strings and comments).
class ScriptCompleter : public QObject
{
    Q_OBJECT

public:
    explicit ScriptCompleter(ScriptEditor *editor);

    static constexpr int kThreshold = 2;

    // The sorted candidates at a document position (bytes), and the length of
    // the word already typed there; empty when nothing is offered.
    QStringList completionsAt(int position, int *typedLength = nullptr) const;

private:
    void onCharAdded(int ch);
    bool inPythonCode(int position) const;

    ScriptEditor *m_editor;
};

} // namespace nixtide
