// The typed answers the front ends get instead of DAP bodies: each field read
// from the key the agent sends it under, and what a missing key gives.
#include "core/session/dapresults.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QTest>

using namespace nixtide;

namespace {

QJsonObject body(const char *json)
{
    return QJsonDocument::fromJson(json).object();
}

} // namespace

class TestDapResults : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void stackFramesCarryTheStoppedThread()
    {
        const QList<StackFrame> frames = dap::stackFramesFrom(
            body(R"({"stackFrames": [{"id": 7, "name": "<module>", "line": 12,
                      "source": {"path": "/t/test.nix"}}, {"id": 8, "name": "run"}]})"),
            3);
        QCOMPARE(frames.size(), 2);
        QCOMPARE(frames.at(0).id, 7);
        QCOMPARE(frames.at(0).name, QStringLiteral("<module>"));
        QCOMPARE(frames.at(0).path, QStringLiteral("/t/test.nix"));
        QCOMPARE(frames.at(0).line, 12);
        QCOMPARE(frames.at(0).threadId, 3);
        QCOMPARE(frames.at(1).path, QString());
        QCOMPARE(frames.at(1).threadId, 3);
    }

    void scopesAndVariables()
    {
        const QList<Scope> scopes = dap::scopesFrom(body(
            R"({"scopes": [{"name": "Locals", "variablesReference": 4}, {"name": "Driver",
                "variablesReference": 5, "expensive": false}]})"));
        QCOMPARE(scopes.size(), 2);
        QCOMPARE(scopes.at(1).name, QStringLiteral("Driver"));
        QCOMPARE(scopes.at(1).variablesReference, 5);

        const QList<Variable> variables = dap::variablesFrom(
            body(R"({"variables": [{"name": "machine", "value": "<Machine>", "type": "Machine",
                      "variablesReference": 9}, {"name": "n", "value": "3", "type": "int"}]})"));
        QCOMPARE(variables.size(), 2);
        QCOMPARE(variables.at(0).name, QStringLiteral("machine"));
        QCOMPARE(variables.at(0).value, QStringLiteral("<Machine>"));
        QCOMPARE(variables.at(0).type, QStringLiteral("Machine"));
        QCOMPARE(variables.at(0).variablesReference, 9);
        QCOMPARE(variables.at(1).variablesReference, 0);
    }

    void evaluateAndExceptionInfo()
    {
        const EvaluateResult value = dap::evaluateResultFrom(
            body(R"({"result": "'machine'", "type": "str", "variablesReference": 0})"));
        QCOMPARE(value.result, QStringLiteral("'machine'"));
        QCOMPARE(value.type, QStringLiteral("str"));

        const ExceptionInfo info = dap::exceptionInfoFrom(body(
            R"({"exceptionId": "RequestedAssertionFailed", "description": "command failed",
                "breakMode": "unhandled"})"));
        QCOMPARE(info.exceptionId, QStringLiteral("RequestedAssertionFailed"));
        QCOMPARE(info.description, QStringLiteral("command failed"));
    }

    void gotoTargetsAndCompletions()
    {
        const QList<GotoTarget> targets = dap::gotoTargetsFrom(
            body(R"({"targets": [{"id": 2, "label": "line 14", "line": 14}]})"));
        QCOMPARE(targets.size(), 1);
        QCOMPARE(targets.at(0).id, 2);
        QCOMPARE(targets.at(0).line, 14);
        QCOMPARE(targets.at(0).label, QStringLiteral("line 14"));
        QVERIFY(dap::gotoTargetsFrom({}).isEmpty());

        const Completions completions = dap::completionsFrom(
            body(R"({"targets": [{"label": "succeed", "text": "succeed", "length": 3},
                     {"label": "send_key", "text": "send_key", "length": 3}]})"));
        QCOMPARE(completions.names, QStringList({"succeed", "send_key"}));
        QCOMPARE(completions.replacedLength, 3);
        QCOMPARE(dap::completionsFrom({}).replacedLength, 0);
    }

    void scriptOutcome()
    {
        const ScriptOutcome outcome = dap::scriptOutcomeFrom(body(
            R"({"status": "failed", "error": "SyntaxError: x", "path": "/t/a.nix", "line": 4})"));
        QCOMPARE(outcome.status, QStringLiteral("failed"));
        QCOMPARE(outcome.error, QStringLiteral("SyntaxError: x"));
        QCOMPARE(outcome.path, QStringLiteral("/t/a.nix"));
        QCOMPARE(outcome.line, 4);
    }
};

QTEST_GUILESS_MAIN(TestDapResults)
#include "tst_dapresults.moc"
