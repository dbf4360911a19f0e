// AgentConnector against real local sockets: a server that appears late
// (after a socket file that refuses connections), one found through the
// directory watch long before the next timed try, nothing ever listening,
// and an owner deleting the connector from its own failed() signal.
#include "core/dap/daptransport.h"
#include "core/session/agentconnector.h"

#include <QElapsedTimer>
#include <QFile>
#include <QLocalServer>
#include <QLocalSocket>
#include <QPointer>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

using namespace nixtide;

namespace {

// A socket file nobody listens on: connect() is refused at once, the way a
// half-started agent (or a stale file) answers.
int bindWithoutListening(const QString &path)
{
    const int fd = ::socket(AF_UNIX, SOCK_STREAM, 0);
    sockaddr_un address {};
    address.sun_family = AF_UNIX;
    const QByteArray name = QFile::encodeName(path);
    std::copy(name.begin(), name.end(), address.sun_path);
    if (::bind(fd, reinterpret_cast<sockaddr *>(&address), sizeof address) != 0) {
        ::close(fd);
        return -1;
    }
    return fd;
}

} // namespace

class TestAgentConnector : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void serverAppearsLate()
    {
        QTemporaryDir dir;
        const QString path = dir.path() + QStringLiteral("/agent.sock");
        AgentConnector connector;
        connector.setInterval(20);
        connector.setMaxAttempts(200);
        QSignalSpy connected(&connector, &AgentConnector::connected);
        QSignalSpy failed(&connector, &AgentConnector::failed);
        connector.start(path);

        // First no file, then a file that refuses, then a real server.
        QTest::qWait(150);
        const int refusing = bindWithoutListening(path);
        QVERIFY(refusing >= 0);
        QTest::qWait(150);
        QVERIFY(connected.isEmpty());
        ::close(refusing);
        QFile::remove(path);
        QLocalServer server;
        QVERIFY2(server.listen(path), qPrintable(server.errorString()));

        QVERIFY(connected.wait(5000));
        QVERIFY(failed.isEmpty());
        std::unique_ptr<LocalSocketTransport> transport = connector.takeTransport();
        QVERIFY(transport);
        QCOMPARE(connected.first().first().value<LocalSocketTransport *>(), transport.get());
        QVERIFY(transport->isOpen());
        QVERIFY(!connector.isActive());
        QVERIFY(server.waitForNewConnection(5000));
        QLocalSocket *peer = server.nextPendingConnection();
        QVERIFY(peer);
        transport->write("ping");
        QByteArray received;
        QTRY_COMPARE_WITH_TIMEOUT(received += peer->readAll(), QByteArray("ping"), 5000);
    }

    void socketAppearingIsNoticed()
    {
        // A timer of a minute: only the watch on the socket's directory can
        // connect within the deadline.
        QTemporaryDir dir;
        const QString path = dir.path() + QStringLiteral("/agent.sock");
        AgentConnector connector;
        connector.setInterval(60000);
        connector.setMaxAttempts(3);
        QSignalSpy connected(&connector, &AgentConnector::connected);
        connector.start(path);
        // The first try (a zero timer, run by the first turn of this event
        // loop) finds no file; the next timed one is a minute away.
        QTest::qWait(100);
        QVERIFY(connector.isActive());
        QLocalServer server;
        QVERIFY2(server.listen(path), qPrintable(server.errorString()));
        QVERIFY(connected.wait(20000));
        QVERIFY(connector.takeTransport());
    }

    void nothingListens()
    {
        QTemporaryDir dir;
        const QString path = dir.path() + QStringLiteral("/agent.sock");
        AgentConnector connector;
        connector.setInterval(20);
        connector.setMaxAttempts(10);
        QSignalSpy connected(&connector, &AgentConnector::connected);
        QSignalSpy failed(&connector, &AgentConnector::failed);
        QElapsedTimer timer;
        timer.start();
        connector.start(path);
        QVERIFY(failed.wait(5000));
        QVERIFY2(timer.elapsed() >= 9 * 20, "gave up before its attempts were spent");
        QVERIFY(connected.isEmpty());
        const QString message = failed.first().first().toString();
        QVERIFY2(message.contains(path), qPrintable(message));
        QVERIFY2(message.contains(QStringLiteral("10 attempts")), qPrintable(message));
        QVERIFY(!connector.isActive());
        QVERIFY(!connector.takeTransport());
        QTest::qWait(100);
        QCOMPARE(failed.size(), 1);
    }

    void deletedFromItsFailedSignal()
    {
        // The refusal arrives from inside connectToServer; the owner deletes
        // the connector right there. Nothing may touch freed memory.
        QTemporaryDir dir;
        const QString path = dir.path() + QStringLiteral("/agent.sock");
        const int refusing = bindWithoutListening(path);
        QVERIFY(refusing >= 0);
        QPointer<AgentConnector> connector = new AgentConnector;
        connector->setInterval(10);
        connector->setMaxAttempts(3);
        QString message;
        connect(connector.data(), &AgentConnector::failed, this,
            [&message, &connector](const QString &m) {
                message = m;
                delete connector.data();
            });
        connector->start(path);
        QTRY_VERIFY_WITH_TIMEOUT(connector.isNull(), 5000);
        QVERIFY2(message.contains(path), qPrintable(message));
        QTest::qWait(50); // the deferred deletions run
        ::close(refusing);
    }
};

QTEST_GUILESS_MAIN(TestAgentConnector)
#include "tst_agentconnector.moc"
