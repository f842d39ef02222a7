/// The MS-GRVSSTP relay server (3.3): store and forward of message sequences for devices
/// attached to this relay, multi-drop and single-hop fanout. This module is the sans-IO
/// part (``RelayStateMachine``, ``FanoutReceiver``, ``SingleHop``); module `SSTPRelay`
/// holds the durable store and the NIO shells, which run on `SSTPRoles`'
/// `SSTPConnectionHandler`.
public enum SSTPRelay {}
