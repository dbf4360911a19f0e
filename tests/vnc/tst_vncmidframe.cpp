// A VNC server that closes its socket in the middle of a framebuffer
// update (QEMU killed while it sends, say): the connection says so, comes
// back when the server does, and another VM's screen keeps updating all
// along. No QEMU: a fake server misbehaves on cue (fakerfbserver.h).
#include "core/vnc/vncconnection.h"
#include "fakerfbserver.h"

#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

#include <memory>

using nixtide::VncConnection;
using nixtide::testing::FakeRfbServer;

class TestVncMidFrame : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void closedMidFrameReconnectsAndOthersKeepGoing()
    {
        QTemporaryDir dir(QStringLiteral("/tmp/nixtide-vnc-XXXXXX"));
        QVERIFY(dir.isValid());
        qRegisterMetaType<VncConnection::State>();
        // One cut connection, then good ones.
        FakeRfbServer broken(dir.path() + QStringLiteral("/broken.sock"), 1);
        FakeRfbServer other(dir.path() + QStringLiteral("/other.sock"), 0);
        QVERIFY(broken.isListening() && other.isListening());

        VncConnection brokenVnc;
        VncConnection otherVnc;
        QSignalSpy states(&brokenVnc, &VncConnection::stateChanged);
        otherVnc.open(dir.path() + QStringLiteral("/other.sock"));
        QTRY_VERIFY_WITH_TIMEOUT(otherVnc.updatesReceived() > 3, 60000);
        brokenVnc.open(dir.path() + QStringLiteral("/broken.sock"));

        // Connected, then dropped with a reason while the update was half
        // read.
        QTRY_VERIFY_WITH_TIMEOUT(broken.connections() >= 1, 60000);
        bool connected = false;
        QStringList dropped;
        QTRY_VERIFY_WITH_TIMEOUT(
            [&] {
                dropped.clear();
                for (const QList<QVariant> &args : std::as_const(states)) {
                    const auto state = args.at(0).value<VncConnection::State>();
                    connected |= state == VncConnection::State::Connected;
                    if (connected && state == VncConnection::State::Disconnected)
                        dropped.append(args.at(1).toString());
                }
                return !dropped.isEmpty();
            }(),
            60000);
        for (const QString &reason : std::as_const(dropped))
            QVERIFY2(!reason.isEmpty() && reason != QLatin1String("closed"), qPrintable(reason));

        // The other screen never stopped.
        const quint64 otherBefore = otherVnc.updatesReceived();
        QTRY_VERIFY_WITH_TIMEOUT(otherVnc.updatesReceived() > otherBefore + 5, 60000);
        QCOMPARE(otherVnc.state(), VncConnection::State::Connected);

        // The server is back to normal: so is the connection.
        QTRY_COMPARE_WITH_TIMEOUT(brokenVnc.state(), VncConnection::State::Connected, 60000);
        QTRY_VERIFY_WITH_TIMEOUT(brokenVnc.updatesReceived() > 3, 60000);
        QCOMPARE(brokenVnc.frameSize(), QSize(FakeRfbServer::kWidth, FakeRfbServer::kHeight));

        brokenVnc.close();
        otherVnc.close();
        QCOMPARE(brokenVnc.state(), VncConnection::State::Disconnected);
    }

    // A connection dies with its parent (a machine tab): by then the
    // parent is only a QObject, so no signal may reach its slots from the
    // connection's destructor. close() still says so.
    void destroyedConnectionSignalsNothing()
    {
        QTemporaryDir dir(QStringLiteral("/tmp/nixtide-vnc-XXXXXX"));
        QVERIFY(dir.isValid());
        FakeRfbServer server(dir.path() + QStringLiteral("/vm.sock"), 0);
        QVERIFY(server.isListening());
        int signalled = 0;
        for (bool destroy : {false, true}) {
            auto vnc = std::make_unique<VncConnection>();
            vnc->open(dir.path() + QStringLiteral("/vm.sock"));
            QTRY_COMPARE_WITH_TIMEOUT(vnc->state(), VncConnection::State::Connected, 60000);
            signalled = 0;
            connect(vnc.get(), &VncConnection::stateChanged, this, [&signalled] { ++signalled; });
            if (destroy)
                vnc.reset();
            else
                vnc->close();
            QCOMPARE(signalled, destroy ? 0 : 1);
        }
    }
};

QTEST_GUILESS_MAIN(TestVncMidFrame)
#include "tst_vncmidframe.moc"
