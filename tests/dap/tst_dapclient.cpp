#include "core/dap/dapclient.h"
#include "core/dap/dapframer.h"
#include "core/dap/daptransport.h"

#include <QJsonDocument>
#include <QLocalServer>
#include <QLocalSocket>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

#include <unistd.h>

using namespace nixtide;

namespace {

QByteArray frame(const QByteArray &json)
{
    return "Content-Length: " + QByteArray::number(json.size()) + "\r\n\r\n" + json;
}

// The peer side: reads frames the client sent from a real socket.
struct Peer
{
    QLocalSocket *socket = nullptr;
    DapFramer framer;
    QList<QJsonObject> received;

    bool waitForMessages(int count)
    {
        // Both ends live on this thread: spin the event loop so the
        // client's buffered write goes out, never block in waitForReadyRead.
        for (int waited = 0; received.size() < count && waited < 5000; waited += 10) {
            QTest::qWait(10);
            for (const auto &item : framer.feed(socket->readAll()))
                received.append(item.message);
        }
        return received.size() >= count;
    }
    void send(const QByteArray &bytes)
    {
        socket->write(bytes);
        socket->flush();
    }
};

} // namespace

class TestDapClient : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_dir;
    std::unique_ptr<QLocalServer> m_server;
    std::unique_ptr<LocalSocketTransport> m_transport;
    std::unique_ptr<DapClient> m_client;
    Peer m_peer;

private Q_SLOTS:
    void framerSplitAnywhere()
    {
        const QByteArray a = frame("{\"seq\":1,\"type\":\"event\",\"event\":\"x\"}");
        const QByteArray b
            = frame("{\"seq\":2,\"type\":\"event\",\"event\":\"\\u00e9t\\u00e9 \\ud83d\\ude00\"}");
        const QByteArray all = a + b;
        for (int cut = 0; cut <= all.size(); ++cut) {
            DapFramer framer;
            QList<DapFramer::Item> items = framer.feed(all.left(cut));
            items += framer.feed(all.mid(cut));
            QCOMPARE(items.size(), 2);
            QCOMPARE(items.at(0).message.value("seq").toInt(), 1);
            QCOMPARE(items.at(1).message.value("event").toString(), QString::fromUtf8("été 😀"));
            QCOMPARE(framer.pending(), 0);
        }
        DapFramer byByte;
        int messages = 0;
        for (char c : all)
            messages += int(byByte.feed(QByteArray(1, c)).size());
        QCOMPARE(messages, 2);
    }

    void framerReportsJunkAndBadJson()
    {
        DapFramer framer;
        const QByteArray input = "hello from print()\n" + frame("{\"seq\":1}") + frame("{not json")
            + frame("[1,2]") + "Content-Type: x\r\nContent-Length: 9\r\n\r\n{\"seq\":2}"
            + "X-Other: 1\r\n\r\n" + frame("{\"seq\":3}");
        const QList<DapFramer::Item> items = framer.feed(input);
        QList<DapFramer::Item::Kind> kinds;
        for (const auto &item : items)
            kinds.append(item.kind);
        using K = DapFramer::Item::Kind;
        QCOMPARE(kinds,
            (QList<K> {K::Junk, K::Message, K::Error, K::Error, K::Junk, K::Message, K::Junk,
                K::Message}));
        QCOMPARE(items.at(0).junk, QByteArray("hello from print()\n"));
        QVERIFY(items.at(2).error.contains("invalid JSON"));
        QVERIFY(items.at(3).error.contains("not a JSON object"));
        QCOMPARE(items.at(7).message.value("seq").toInt(), 3);
    }

    void init()
    {
        m_server = std::make_unique<QLocalServer>();
        const QString path = m_dir.path() + "/dap.sock";
        QLocalServer::removeServer(path);
        QVERIFY(m_server->listen(path));
        m_transport = std::make_unique<LocalSocketTransport>();
        m_client = std::make_unique<DapClient>(m_transport.get());
        QSignalSpy opened(m_transport.get(), &DapTransport::opened);
        m_transport->connectTo(path);
        QVERIFY(m_server->waitForNewConnection(5000));
        m_peer = Peer();
        m_peer.socket = m_server->nextPendingConnection();
        QVERIFY(!opened.isEmpty() || opened.wait(5000));
    }

    void cleanup()
    {
        m_client.reset();
        m_transport.reset();
        m_server.reset();
    }

    // What the agent wrote before its driver ended is handed on at once,
    // with no turn of the event loop (DebugSession does this before it
    // handles the driver's exit).
    void readPendingHandsOnWhatIsWrittenAlready()
    {
        QSignalSpy events(m_client.get(), &DapClient::eventReceived);
        m_peer.send(frame(R"({"seq":1,"type":"event","event":"nixtide/scriptStarted"})")
            + frame(R"({"seq":2,"type":"event","event":"nixtide/scriptFinished"})"));
        m_peer.socket->disconnectFromServer();
        QCOMPARE(events.size(), 0); // nothing read yet: the event loop has not run
        m_transport->readPending();
        QCOMPARE(events.size(), 2);
        QCOMPARE(events.at(0).at(0).toString(), QStringLiteral("nixtide/scriptStarted"));
        QCOMPARE(events.at(1).at(0).toString(), QStringLiteral("nixtide/scriptFinished"));
        m_transport->readPending(); // nothing more, and no waiting
        QCOMPARE(events.size(), 2);
    }

    void initializeFillsCapabilities()
    {
        QSignalSpy caps(m_client.get(), &DapClient::capabilitiesChanged);
        bool called = false;
        const int seq = m_client->postRequest(
            "initialize", {{"adapterID", "nixtide"}}, [&](const DapResponse &r) {
                called = true;
                QVERIFY(r.success);
            });
        QVERIFY(m_peer.waitForMessages(1));
        const QJsonObject request = m_peer.received.at(0);
        QCOMPARE(request.value("type").toString(), QString("request"));
        QCOMPARE(request.value("seq").toInt(), seq);
        QCOMPARE(request.value("arguments").toObject().value("adapterID").toString(),
            QString("nixtide"));
        m_peer.send(frame(QStringLiteral("{\"seq\":1,\"type\":\"response\",\"request_seq\":%1,"
                                         "\"command\":\"initialize\",\"success\":true,\"body\":"
                                         "{\"supportsConfigurationDoneRequest\":true,"
                                         "\"supportsConditionalBreakpoints\":true}}")
                .arg(seq)
                .toUtf8()));
        QVERIFY(caps.wait(5000));
        QVERIFY(called);
        QVERIFY(m_client->capabilities().supportsConfigurationDoneRequest);
        QVERIFY(m_client->capabilities().supportsConditionalBreakpoints);
        QVERIFY(!m_client->capabilities().supportsTerminateRequest);
        QVERIFY(m_client->pendingRequests().isEmpty());
    }

    // Two requests with the same command answered in reverse order, in one
    // write together with an event: each callback gets its own answer.
    void responsesMatchedBySeqNotCommand()
    {
        QSignalSpy events(m_client.get(), &DapClient::eventReceived);
        QString first;
        QString second;
        const int a = m_client->postRequest("evaluate", {{"expression", "1"}},
            [&](const DapResponse &r) { first = r.body.value("result").toString(); });
        const int b = m_client->postRequest("evaluate", {{"expression", "2"}},
            [&](const DapResponse &r) { second = r.body.value("result").toString(); });
        QVERIFY(a != b);
        QVERIFY(m_peer.waitForMessages(2));
        auto answer = [](int seq, const char *result) {
            return frame(
                QStringLiteral("{\"seq\":9,\"type\":\"response\",\"request_seq\":%1,\"command\":"
                               "\"evaluate\",\"success\":true,\"body\":{\"result\":\"%2\"}}")
                    .arg(seq)
                    .arg(QLatin1String(result))
                    .toUtf8());
        };
        m_peer.send(answer(b, "two")
            + frame("{\"seq\":10,\"type\":\"event\",\"event\":\"nixtide/log\","
                    "\"body\":{\"message\":\"hi\"}}")
            + answer(a, "one"));
        QTRY_COMPARE_WITH_TIMEOUT(first, QString("one"), 5000);
        QCOMPARE(second, QString("two"));
        QCOMPARE(events.size(), 1);
        QCOMPARE(events.at(0).at(0).toString(), QString("nixtide/log"));
        QCOMPARE(events.at(0).at(1).toJsonObject().value("message").toString(), QString("hi"));
    }

    void watchdogNamesUnansweredRequest()
    {
        QSignalSpy timedOut(m_client.get(), &DapClient::requestTimedOut);
        QSignalSpy errors(m_client.get(), &DapClient::protocolError);
        m_client->postRequest("threads", {}, {}, 300);
        const int slow = m_client->postRequest("stackTrace", {{"threadId", 1}}, {}, 0);
        QVERIFY(timedOut.wait(3000));
        QCOMPARE(timedOut.at(0).at(1).toString(), QString("threads"));
        QVERIFY(timedOut.at(0).at(2).toInt() >= 300);
        QTest::qWait(500);
        QCOMPARE(timedOut.size(), 1); // reported once; the no-timeout request never
        QVERIFY(m_client->pendingRequests().contains(slow));
        // Bytes outside frames and an answer to nothing are surfaced.
        m_peer.send("Traceback (most recent call last):\r\n\r\n"
            + frame("{\"seq\":3,\"type\":\"response\",\"request_seq\":999,\"command\":\"next\","
                    "\"success\":true}"));
        QTRY_COMPARE_WITH_TIMEOUT(errors.size(), 2, 5000);
        QVERIFY(errors.at(0).at(0).toString().contains("outside a DAP frame"));
        QVERIFY(errors.at(0).at(0).toString().contains("Traceback"));
        QVERIFY(errors.at(1).at(0).toString().contains("999"));
    }

    void closeFailsPendingRequests()
    {
        QSignalSpy closed(m_client.get(), &DapClient::closed);
        DapResponse got;
        got.success = true;
        m_client->postRequest(
            "continue", {{"threadId", 1}}, [&](const DapResponse &r) { got = r; });
        QVERIFY(m_peer.waitForMessages(1));
        m_peer.socket->disconnectFromServer();
        QVERIFY(closed.wait(5000));
        QVERIFY(!got.success);
        QCOMPARE(got.command, QString("continue"));
        QVERIFY(got.message.contains("closed"));
        QVERIFY(m_client->pendingRequests().isEmpty());
    }

    void reverseRequestAndResponse()
    {
        QSignalSpy reverse(m_client.get(), &DapClient::reverseRequestReceived);
        m_peer.send(frame(
            "{\"seq\":5,\"type\":\"request\",\"command\":\"runInTerminal\",\"arguments\":{}}"));
        QVERIFY(reverse.wait(5000));
        m_client->postResponse(reverse.at(0).at(0).toJsonObject(), false, {}, "not supported");
        QVERIFY(m_peer.waitForMessages(1));
        QCOMPARE(m_peer.received.at(0).value("request_seq").toInt(), 5);
        QCOMPARE(m_peer.received.at(0).value("success").toBool(), false);
    }

    void stdioTransportOverPipes()
    {
        int toUs[2];
        int fromUs[2];
        QCOMPARE(::pipe(toUs), 0);
        QCOMPARE(::pipe(fromUs), 0);
        {
            StdioTransport transport(toUs[0], fromUs[1]);
            DapClient client(&transport);
            QSignalSpy events(&client, &DapClient::eventReceived);
            QSignalSpy closed(&transport, &DapTransport::closed);
            const QByteArray event
                = frame("{\"seq\":1,\"type\":\"event\",\"event\":\"initialized\"}");
            QCOMPARE(::write(toUs[1], event.constData(), size_t(event.size())), event.size());
            QVERIFY(events.wait(5000));
            client.postRequest("configurationDone");
            char buffer[512];
            const ssize_t n = ::read(fromUs[0], buffer, sizeof buffer);
            QVERIFY(n > 0);
            DapFramer framer;
            const auto items = framer.feed(QByteArray(buffer, n));
            QCOMPARE(items.size(), 1);
            QCOMPARE(items.at(0).message.value("command").toString(), QString("configurationDone"));
            ::close(toUs[1]);
            QVERIFY(closed.wait(5000));
        }
        ::close(toUs[0]);
        ::close(fromUs[0]);
        ::close(fromUs[1]);
    }
};

QTEST_GUILESS_MAIN(TestDapClient)
#include "tst_dapclient.moc"
