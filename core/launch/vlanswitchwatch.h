#pragma once

#include "core/launch/processtree.h"

#include <QList>
#include <QObject>
#include <QTimer>

namespace nixtide {

// Says which VLAN's vde_switch ended while the driver was starting its VLANs.
// A newer driver asks each switch for `showinfo` and reads its answer with a
// timeout that an end of file never triggers: when the switch dies, the
// driver waits for a line that never comes, quietly and for ever
// (driver-contract.md). Between begin() and end() this polls the state of
// the driver's vde_switch processes in /proc; nothing else watches them.
class VlanSwitchWatch : public QObject
{
    Q_OBJECT

public:
    explicit VlanSwitchWatch(QObject *parent = nullptr);

    // `vlans`: the numbers the driver was given. They name a switch seen
    // only once it had ended (no command line left to read): drivers start
    // their switches in ascending order of the VLAN numbers.
    void begin(qint64 driverPid, const QList<int> &vlans);
    void end();
    bool isWatching() const { return m_timer.isActive(); }
    void setInterval(int ms) { m_timer.setInterval(ms); }
    // How often /proc was looked at since construction.
    int polls() const { return m_polls; }

Q_SIGNALS:
    // Once per switch that ended and that its driver has not reaped (so not
    // noticed); vlan is -1 when it cannot be told.
    void switchExited(int vlan, qint64 pid);

private:
    struct Switch
    {
        ProcessIdentity process;
        int vlan = -1;
        bool reported = false;
    };

    void poll();
    static int vlanOfCommandLine(const QStringList &arguments);

    QTimer m_timer;
    qint64 m_driver = 0;
    QList<int> m_vlans;
    QList<Switch> m_switches; // in the order they started
    int m_polls = 0;
};

} // namespace nixtide
