package io.credence.diameter.codec;

/**
 * The numbers of the Diameter vocabulary Credence speaks: command codes, AVP codes and
 * Result-Codes of RFC 6733 and RFC 4006 (IETF vendor 0 unless the name says 3GPP). Kept in one
 * place so the peer state machine, the credit-control application and the load generator cannot
 * disagree about a number.
 */
public final class Codes {
    private Codes() {}

    // Commands
    public static final int CAPABILITIES_EXCHANGE = 257;
    public static final int RE_AUTH = 258;
    public static final int CREDIT_CONTROL = 272;
    public static final int ABORT_SESSION = 274;
    public static final int DEVICE_WATCHDOG = 280;
    public static final int DISCONNECT_PEER = 282;

    // Applications
    public static final long APP_COMMON = 0;
    public static final long APP_CREDIT_CONTROL = 4;
    public static final long APP_RELAY = 0xFFFF_FFFFL;

    // Base AVPs (RFC 6733)
    public static final long USER_NAME = 1;
    public static final long PROXY_STATE = 33;
    public static final long EVENT_TIMESTAMP = 55;
    public static final long HOST_IP_ADDRESS = 257;
    public static final long AUTH_APPLICATION_ID = 258;
    public static final long VENDOR_SPECIFIC_APPLICATION_ID = 260;
    public static final long SESSION_ID = 263;
    public static final long ORIGIN_HOST = 264;
    public static final long VENDOR_ID = 266;
    public static final long FIRMWARE_REVISION = 267;
    public static final long RESULT_CODE = 268;
    public static final long PRODUCT_NAME = 269;
    public static final long DISCONNECT_CAUSE = 273;
    public static final long AUTH_SESSION_STATE = 277;
    public static final long ORIGIN_STATE_ID = 278;
    public static final long FAILED_AVP = 279;
    public static final long PROXY_HOST = 280;
    public static final long ERROR_MESSAGE = 281;
    public static final long ROUTE_RECORD = 282;
    public static final long DESTINATION_REALM = 283;
    public static final long PROXY_INFO = 284;
    public static final long RE_AUTH_REQUEST_TYPE = 285;
    public static final long DESTINATION_HOST = 293;
    public static final long TERMINATION_CAUSE = 295;
    public static final long ORIGIN_REALM = 296;

    // Credit control AVPs (RFC 4006)
    public static final long CC_INPUT_OCTETS = 412;
    public static final long CC_MONEY = 413;
    public static final long CC_OUTPUT_OCTETS = 414;
    public static final long CC_REQUEST_NUMBER = 415;
    public static final long CC_REQUEST_TYPE = 416;
    public static final long CC_SERVICE_SPECIFIC_UNITS = 417;
    public static final long CC_TIME = 420;
    public static final long CC_TOTAL_OCTETS = 421;
    public static final long CHECK_BALANCE_RESULT = 422;
    public static final long COST_INFORMATION = 423;
    /** TS 32.299 Remaining-Balance (3GPP vendor): {Unit-Value, Currency-Code}. */
    public static final long REMAINING_BALANCE = 2021;
    public static final long CURRENCY_CODE = 425;
    public static final long EXPONENT = 429;
    public static final long FINAL_UNIT_INDICATION = 430;
    public static final long GRANTED_SERVICE_UNIT = 431;
    public static final long RATING_GROUP = 432;
    public static final long REDIRECT_ADDRESS_TYPE = 433;
    public static final long REDIRECT_SERVER = 434;
    public static final long REDIRECT_SERVER_ADDRESS = 435;
    public static final long REQUESTED_ACTION = 436;
    public static final long REQUESTED_SERVICE_UNIT = 437;
    public static final long SERVICE_IDENTIFIER = 439;
    public static final long SUBSCRIPTION_ID = 443;
    public static final long SUBSCRIPTION_ID_DATA = 444;
    public static final long UNIT_VALUE = 445;
    public static final long USED_SERVICE_UNIT = 446;
    public static final long VALUE_DIGITS = 447;
    public static final long VALIDITY_TIME = 448;
    public static final long FINAL_UNIT_ACTION = 449;
    public static final long SUBSCRIPTION_ID_TYPE = 450;
    public static final long MULTIPLE_SERVICES_INDICATOR = 455;
    public static final long MULTIPLE_SERVICES_CREDIT_CONTROL = 456;
    public static final long SERVICE_CONTEXT_ID = 461;

    // 3GPP TS 32.299 (vendor 10415)
    public static final long TGPP_REPORTING_REASON = 872;

    // RFC 6733 accounting AVPs some Ro clients put in every CCR (accepted, not acted on)
    public static final long ACCOUNTING_RECORD_TYPE = 480;
    public static final long ACCOUNTING_RECORD_NUMBER = 485;

    // RFC 6733 capabilities exchange
    public static final long SUPPORTED_VENDOR_ID = 265;
    public static final long ACCT_APPLICATION_ID = 259;

    // RFC 8506 Subscription-Id-Extension and its members
    public static final long SUBSCRIPTION_ID_EXTENSION = 659;
    public static final long SUBSCRIPTION_ID_E164 = 660;
    public static final long SUBSCRIPTION_ID_IMSI = 661;
    public static final long SUBSCRIPTION_ID_SIP_URI = 662;
    public static final long SUBSCRIPTION_ID_NAI = 663;
    public static final long SUBSCRIPTION_ID_PRIVATE = 664;

    /** 3GPP's vendor id (IANA enterprise number 10415). */
    public static final long VENDOR_3GPP = 10415;

    /**
     * Credence's own AVPs use the RFC 5612 documentation enterprise number: they never go on a
     * wire; an in-process adapter (Nchf) carries what Diameter has no AVP for.
     */
    public static final long VENDOR_CREDENCE = 32473;
    /** The UPF an Nchf consumer installs a quota on (uPFID), inside an MSCC; grants are keyed by it too. */
    public static final long CREDENCE_UPF_ID = 1;

    // CC-Request-Type
    public static final int INITIAL_REQUEST = 1;
    public static final int UPDATE_REQUEST = 2;
    public static final int TERMINATION_REQUEST = 3;
    public static final int EVENT_REQUEST = 4;

    // Requested-Action
    public static final int DIRECT_DEBITING = 0;
    public static final int REFUND_ACCOUNT = 1;
    public static final int CHECK_BALANCE = 2;
    public static final int PRICE_ENQUIRY = 3;

    // Final-Unit-Action
    public static final int FUA_TERMINATE = 0;
    public static final int FUA_REDIRECT = 1;

    // Disconnect-Cause
    public static final int REBOOTING = 0;
    public static final int BUSY = 1;
    public static final int DO_NOT_WANT_TO_TALK_TO_YOU = 2;

    // Result-Codes
    public static final long DIAMETER_LIMITED_SUCCESS = 2002;
    public static final long DIAMETER_SUCCESS = 2001;
    public static final long DIAMETER_COMMAND_UNSUPPORTED = 3001;
    public static final long DIAMETER_UNABLE_TO_DELIVER = 3002;
    public static final long DIAMETER_TOO_BUSY = 3004;
    public static final long DIAMETER_APPLICATION_UNSUPPORTED = 3007;
    public static final long DIAMETER_UNKNOWN_PEER = 3010;
    public static final long DIAMETER_END_USER_SERVICE_DENIED = 4010;
    public static final long DIAMETER_CREDIT_LIMIT_REACHED = 4012;
    public static final long DIAMETER_AVP_UNSUPPORTED = 5001;
    public static final long DIAMETER_UNKNOWN_SESSION_ID = 5002;
    public static final long DIAMETER_INVALID_AVP_VALUE = 5004;
    public static final long DIAMETER_MISSING_AVP = 5005;
    public static final long DIAMETER_AVP_OCCURS_TOO_MANY_TIMES = 5009;
    public static final long DIAMETER_UNABLE_TO_COMPLY = 5012;
    public static final long DIAMETER_USER_UNKNOWN = 5030;
    public static final long DIAMETER_RATING_FAILED = 5031;
    public static final long DIAMETER_NO_COMMON_APPLICATION = 5010;

    /** Protocol errors (3xxx) are answered with the E bit set (RFC 6733 section 7.1.3). */
    public static boolean isProtocolError(long resultCode) {
        return resultCode >= 3000 && resultCode < 4000;
    }
}
