/// The MS-GRVSSTP relay server (3.3): store and forward of message sequences for devices
/// attached to this relay. ``RelayCore`` is the sans-IO part; ``RelayStore`` the durable
/// store; the NIO shells run on ``SSTPRoles/SSTPConnectionHandler``.
public enum SSTPRelay {}
