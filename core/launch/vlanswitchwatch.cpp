#include "core/launch/vlanswitchwatch.h"

#include <QFileInfo>
#include <QRegularExpression>

#include <algorithm>

namespace nixtide {

namespace {

// A few /proc reads per turn, only during the seconds of VLAN start-up.
constexpr int kPollIntervalMs = 200;

} // namespace

VlanSwitchWatch::VlanSwitchWatch(QObject *parent)
    : QObject(parent)
{
    m_timer.setInterval(kPollIntervalMs);
    connect(&m_timer, &QTimer::timeout, this, &VlanSwitchWatch::poll);
}

void VlanSwitchWatch::begin(qint64 driverPid, const QList<int> &vlans)
{
    m_driver = driverPid;
    m_vlans = vlans;
    std::sort(m_vlans.begin(), m_vlans.end());
    m_vlans.erase(std::unique(m_vlans.begin(), m_vlans.end()), m_vlans.end());
    m_switches.clear();
    if (m_driver <= 0)
        return;
    m_timer.start();
    poll();
}

void VlanSwitchWatch::end()
{
    m_timer.stop();
    m_switches.clear();
}

int VlanSwitchWatch::vlanOfCommandLine(const QStringList &arguments)
{
    // Every generation names the switch's directory <dir>/vde<N>.ctl.
    static const QRegularExpression socketDir(QStringLiteral("^vde(\\d+)\\.ctl$"));
    for (const QString &argument : arguments) {
        const QRegularExpressionMatch match = socketDir.match(QFileInfo(argument).fileName());
        if (match.hasMatch())
            return match.captured(1).toInt();
    }
    return -1;
}

void VlanSwitchWatch::poll()
{
    ++m_polls;
    QList<ProcessStatus> now = ProcessTree::descendantStatuses(pid_t(m_driver));
    now.removeIf([](const ProcessStatus &s) { return s.name != QLatin1String("vde_switch"); });
    std::sort(now.begin(), now.end(), [](const ProcessStatus &a, const ProcessStatus &b) {
        return a.identity.startTime < b.identity.startTime
            || (a.identity.startTime == b.identity.startTime && a.identity.pid < b.identity.pid);
    });
    for (const ProcessStatus &status : std::as_const(now)) {
        auto known = std::find_if(m_switches.begin(), m_switches.end(),
            [&](const Switch &s) { return s.process == status.identity; });
        if (known == m_switches.end()) {
            Switch added {status.identity};
            added.vlan = vlanOfCommandLine(ProcessTree::commandLineOf(status.identity.pid));
            if (added.vlan < 0)
                added.vlan = m_vlans.value(int(m_switches.size()), -1);
            m_switches.append(added);
            known = m_switches.end() - 1;
        }
        // A switch its driver has reaped was noticed: the driver reports
        // that itself. A zombie is one the driver has not looked at.
        if (status.zombie && !known->reported) {
            known->reported = true;
            Q_EMIT switchExited(known->vlan, known->process.pid);
        }
    }
}

} // namespace nixtide
