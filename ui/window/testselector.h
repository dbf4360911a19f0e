#pragma once

#include <QComboBox>

namespace nixtide {

class ScriptEditor;
class SessionWindow;

// The toolbar's answer to "which test does F5 run?": the window's test and
// every other open test file, the window's test selected. Choosing an entry
// makes it the test; so does bringing the tab of a test file to the front
// while no session runs (what an editor user expects F5 to run is what they
// look at). A running session's test cannot change: the selector is
// disabled until it ends.
class TestSelector : public QComboBox
{
    Q_OBJECT

public:
    explicit TestSelector(SessionWindow *window);

    // Whether `editor`'s file is a test of its own: a .nix file holding a
    // testScript.
    static bool holdsTest(const ScriptEditor *editor);
    // Fills the list again from the window's test and open files.
    void refresh();
    // While false (restoring the last session) a tab brought to the front
    // does not become the test.
    void setFollowTabs(bool follow) { m_followTabs = follow; }

private:
    void onCurrentEditor(ScriptEditor *editor);
    void onActivated(int index);

    SessionWindow *m_window;
    bool m_followTabs = true;
};

} // namespace nixtide
