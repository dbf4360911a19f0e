// The IDE's embedded CPython (pybind11): ast for statements, pyflakes for lint.
#include "core/python/embeddedpython.h"

#include <QTest>

using nixtide::EmbeddedPython;

class TestEmbeddedPython : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void statementsCoverSubtestsAndLines()
    {
        EmbeddedPython python;
        const QString script = QStringLiteral("start_all()\n"
                                              "with subtest(\"boots\"):\n"
                                              "    machine.wait_for_unit(\"multi-user.target\")\n"
                                              "    x = machine.succeed(\n"
                                              "        \"hostname\")\n");
        QString error;
        const auto statements = python.statements(script, &error);
        QVERIFY2(error.isEmpty(), qPrintable(error));
        QCOMPARE(statements.size(), 4);
        QCOMPARE(statements[0].firstLine, 1);
        QCOMPARE(statements[1].kind, QStringLiteral("With"));
        QCOMPARE(statements[1].label, QStringLiteral("boots"));
        QCOMPARE(statements[1].lastLine, 5);
        QCOMPARE(statements[3].firstLine, 4);
        QCOMPARE(statements[3].lastLine, 5);
    }

    void syntaxErrorNamesLineAndColumn()
    {
        EmbeddedPython python;
        const auto error = python.syntaxError(QStringLiteral("start_all()\nif x\n"));
        QVERIFY(error.has_value());
        QCOMPARE(error->line, 2);
        QVERIFY(!error->message.isEmpty());
        QVERIFY(!python.syntaxError(QStringLiteral("start_all()\n")).has_value());
    }

    void pyflakesKnowsDriverSymbols()
    {
        EmbeddedPython python;
        const QString script = QStringLiteral("start_all()\nmachine.succeed(unknown_name)\n");
        const auto messages
            = python.lint(script, {QStringLiteral("start_all"), QStringLiteral("machine")});
        QCOMPARE(messages.size(), 1);
        QCOMPARE(messages[0].line, 2);
        QVERIFY2(messages[0].message.contains(QStringLiteral("unknown_name")),
            qPrintable(messages[0].message));
        QVERIFY(python.pythonVersion().startsWith(QLatin1Char('3')));
    }
};

QTEST_GUILESS_MAIN(TestEmbeddedPython)
#include "tst_embeddedpython.moc"
