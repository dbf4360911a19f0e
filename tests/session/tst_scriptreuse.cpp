// ScriptReuse: the one decision behind `nixtide run --reuse-build` and the
// window's Ctrl+F5, and the exact words both show for it.
#include "core/session/scriptreuse.h"

#include <QFile>
#include <QTemporaryDir>
#include <QTest>

using namespace nixtide;

namespace {

const QString kNix = QStringLiteral("{\n"
                                    "  name = \"t\";\n"
                                    "  testScript = ''\n"
                                    "    start_all()\n"
                                    "    machine.succeed(\"echo ${toString 3}\")\n"
                                    "  '';\n"
                                    "}\n");
const QByteArray kBuilt = "start_all()\nmachine.succeed(\"echo 3\")\n";

} // namespace

class TestScriptReuse : public QObject
{
    Q_OBJECT

    QTemporaryDir m_dir;
    LaunchPlan m_plan;
    BuiltSource m_built;

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        QFile script(m_dir.filePath(QStringLiteral("test-script")));
        QVERIFY(script.open(QIODevice::WriteOnly));
        script.write(kBuilt);
        script.close();
        m_plan.bundle.testScriptPath = script.fileName();
        m_plan.sourcePath = m_dir.filePath(QStringLiteral("t.nix"));
        m_plan.lineMap = {4, 5};
        m_built = BuiltSource {kNix, locateScriptInSource(kNix)};
        QVERIFY(m_built.isValid());
    }

    void editInsideTheScriptRunsWithoutRebuild()
    {
        QString edited = kNix;
        edited.replace(QStringLiteral("    start_all()\n"),
            QStringLiteral("    start_all()\n    print(\"edited\")\n"));
        const ScriptReuse reuse = ScriptReuse::decide(m_plan, m_built, edited);
        QVERIFY(!reuse.rebuildNeeded());
        QCOMPARE(reuse.decision(), QStringLiteral("ran the edited script without rebuilding"));
        QCOMPARE(reuse.plan().scriptText,
            QStringLiteral("start_all()\nprint(\"edited\")\nmachine.succeed(\"echo 3\")\n"));
        QCOMPARE(reuse.plan().lineMap, QList<int>({4, 5, 6}));
        QCOMPARE(reuse.plan().sourcePath, m_plan.sourcePath);
    }

    void noEditRunsTheBuiltScriptAgain()
    {
        // After an edited restart, the unedited text must run the built
        // script again, not the edit the agent still holds.
        const ScriptReuse reuse = ScriptReuse::decide(m_plan, m_built, kNix);
        QVERIFY(!reuse.rebuildNeeded());
        QCOMPARE(
            reuse.decision(), QStringLiteral("ran the script again without rebuilding (no edits)"));
        QCOMPARE(reuse.plan().scriptText, QString::fromUtf8(kBuilt));
        QCOMPARE(reuse.plan().launchArguments().value(QStringLiteral("script")).toString(),
            QString::fromUtf8(kBuilt));
    }

    void antiquotationEditRebuildsAndSaysWhere()
    {
        QString edited = kNix;
        edited.replace(QStringLiteral("toString 3"), QStringLiteral("toString 4"));
        const ScriptReuse reuse = ScriptReuse::decide(m_plan, m_built, edited);
        QVERIFY(reuse.rebuildNeeded());
        QVERIFY2(reuse.decision().startsWith(QStringLiteral("rebuilt: the antiquotation (${…}) on "
                                                            "line 5")),
            qPrintable(reuse.decision()));
        QCOMPARE(reuse.line(), 5);
    }

    void unlocatedScriptRunsAgainOnlyUnedited()
    {
        LaunchPlan bare;
        bare.bundle = m_plan.bundle;
        const BuiltSource whole {kNix, {}};
        const ScriptReuse same = ScriptReuse::decide(bare, whole, kNix);
        QVERIFY(!same.rebuildNeeded());
        QCOMPARE(
            same.decision(), QStringLiteral("ran the script again without rebuilding (no edits)"));
        QVERIFY(same.plan().scriptText.isEmpty());

        const ScriptReuse edited = ScriptReuse::decide(bare, whole, kNix + u'\n');
        QVERIFY(edited.rebuildNeeded());
        QCOMPARE(edited.decision(),
            QStringLiteral("rebuilt: the previous build's testScript was not located"));
    }
};

QTEST_MAIN(TestScriptReuse)
#include "tst_scriptreuse.moc"
